package io.fosm.cli;

/**
 * The caller asked for something fosm cannot do as asked: a bad argument, option or configuration value. Exit code
 * {@link ExitCode#USAGE}; the message says what was wrong and what was expected ("Cannot parse --channels: expected a
 * positive integer, got 'abc'"). Only fosm's own argument and configuration checks throw it: an
 * IllegalArgumentException from Spark, MLlib or any other library is a failure ({@link ExitCode#FAILED}).
 *
 * <p>It extends IllegalArgumentException so that code calling a parser directly (tests, the generator's builder)
 * can treat it as one; the exit code is decided by this type alone.
 */
public class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
