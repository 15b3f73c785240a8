package io.fosm.ingest;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Time conversions the readers share: ISO-8601 text and fractional epoch seconds to epoch microseconds (UTC). */
final class TimeUnits {

    private TimeUnits() {
    }

    /** ISO-8601 with an offset or 'Z'; without one the time is UTC (as DASCore reads PRODML and AP Sensing). */
    static long isoMicros(String text) {
        String t = text.trim();
        Instant instant;
        try {
            instant = OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            instant = LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    /** Fractional epoch seconds to microseconds, rounded to the nearest microsecond. */
    static long secondsToMicros(double seconds) {
        return Math.round(seconds * 1e6);
    }

    /** True when a time in epoch microseconds lies in a plausible range (1900 to 2200). */
    static boolean plausible(long micros) {
        return micros > -2_208_988_800_000_000L && micros < 7_258_118_400_000_000L;
    }
}
