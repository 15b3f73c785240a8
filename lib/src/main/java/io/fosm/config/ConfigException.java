package io.fosm.config;

/**
 * A configuration value is missing, unknown or malformed; the message names the key, its source and what was expected.
 * A usage error: exit code 2 ({@link io.fosm.cli.ExitCode}).
 */
public final class ConfigException extends io.fosm.cli.UsageException {
    public ConfigException(String message) {
        super(message);
    }
}
