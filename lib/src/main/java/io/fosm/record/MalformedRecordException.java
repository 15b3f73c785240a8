package io.fosm.record;

import java.util.Objects;

/**
 * Bytes that cannot be parsed as a chunk record or chunk file. Carries a machine-usable {@link Reason} (for
 * quarantine tables and metrics) next to a readable message.
 */
public final class MalformedRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why decoding failed; {@link #code()} is the stable string stored in quarantine tables. */
    public enum Reason {
        /** The bytes do not start with the expected magic. */
        BAD_MAGIC("bad_magic"),
        /** A format version this reader does not know. */
        UNSUPPORTED_VERSION("unsupported_version"),
        /** The bytes end before the structure they announce. */
        TRUNCATED("truncated"),
        /** A chunk file whose CRC32 does not match its content. */
        CHECKSUM_MISMATCH("checksum_mismatch"),
        /** A negative or implausibly large count or length. */
        BAD_LENGTH("bad_length"),
        /** Bytes left over after the structure ended. */
        TRAILING_BYTES("trailing_bytes"),
        /** A string field that is not valid UTF-8. */
        BAD_STRING("bad_string");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The stable snake_case code, e.g. {@code checksum_mismatch}. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    /** @param message full readable message, e.g. "Cannot decode chunk file: checksum mismatch (...)" */
    public MalformedRecordException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The machine-usable reason. */
    public Reason reason() {
        return reason;
    }

    /** Shorthand for {@code reason().code()}. */
    public String reasonCode() {
        return reason.code();
    }
}
