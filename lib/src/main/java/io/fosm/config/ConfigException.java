package io.fosm.config;

/** A configuration value is missing, unknown or malformed; the message names the key, its source and what was expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
