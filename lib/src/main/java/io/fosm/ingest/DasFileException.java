package io.fosm.ingest;

import java.util.Locale;
import java.util.Objects;

/**
 * A DAS file that cannot be read, with a named reason (the bronze_quarantine reason) and a message naming the file
 * and what was expected.
 */
public final class DasFileException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a file cannot be read; {@link #code()} is the quarantine reason string. */
    public enum Reason {
        /** No reader recognises the content. */
        UNKNOWN_FORMAT,
        /** A known format in a version (or variant) the reader does not support. */
        UNSUPPORTED_VERSION,
        /** A dataset or attribute the format requires is absent. */
        MISSING_DATASET,
        /** Declared axes disagree with each other or with the data's shape. */
        INCONSISTENT_AXES,
        /** The file ends before the data or structure it declares. */
        TRUNCATED,
        /** The bytes present contradict the format (bad checksum, impossible value, broken structure). */
        CORRUPT,
        /** The file cannot be read at all (I/O error, permissions, not a regular file). */
        UNREADABLE;

        /** The lower-case name used as the quarantine reason, e.g. "unknown_format". */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;
    private final String file;

    public DasFileException(Reason reason, String file, String message) {
        this(reason, file, message, null);
    }

    public DasFileException(Reason reason, String file, String message, Throwable cause) {
        super("Cannot read " + file + ": " + reason.code() + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.file = Objects.requireNonNull(file, "file");
    }

    /** Why the file cannot be read. */
    public Reason reason() {
        return reason;
    }

    /** The file, as given to the reader. */
    public String file() {
        return file;
    }
}
