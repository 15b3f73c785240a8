package io.fosm.registry;

/** An MLflow tracking or registry operation failed; the message says what could not be done and why. */
public final class RegistryException extends RuntimeException {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
