package io.fosm.generate;

import io.fosm.record.ChunkCodec;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything that determines a synthetic fiber; equal configs produce byte-identical output. Build with
 * {@link #builder()}; all values are validated there.
 *
 * @param output             root folder (any Hadoop FileSystem URI: local path, file://, s3a://)
 * @param fiberId            fiber id, also part of file names
 * @param channels           number of channels
 * @param channelSpacingM    metres between channels
 * @param sampleRate         samples per second per channel
 * @param durationSeconds    recording length, a whole number of chunks
 * @param chunkSeconds       length of one record (one channel x one chunk)
 * @param fileSeconds        length covered by one landing file, a whole number of chunks
 * @param startMicros        time of the first sample, epoch microseconds
 * @param seed               random seed
 * @param interrogatorId     interrogator unit id written into every record
 * @param eventRatePerMinute mean number of events per minute on the whole fiber
 * @param eventMix           relative weight of each event type (no BACKGROUND)
 * @param driftMode          what drifts from the onset on
 * @param driftOnsetSeconds  seconds after the start at which the drift begins
 * @param faultRate          fraction of records to corrupt, in [0, 1]
 */
public record GeneratorConfig(String output, String fiberId, int channels, double channelSpacingM, double sampleRate,
                              double durationSeconds, double chunkSeconds, double fileSeconds, long startMicros,
                              long seed, String interrogatorId, double eventRatePerMinute,
                              Map<EventType, Double> eventMix, DriftMode driftMode, double driftOnsetSeconds,
                              double faultRate) {

    /** 2026-01-01T00:00:00Z in epoch microseconds. */
    public static final long DEFAULT_START_MICROS = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;

    // ids end up in file names and object-store keys
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public GeneratorConfig {
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("output must be a folder path, cannot be: " + quoted(output));
        }
        checkId("fiberId", fiberId);
        checkId("interrogatorId", interrogatorId);
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, cannot be: " + channels);
        }
        positive("channelSpacingM", channelSpacingM);
        positive("sampleRate", sampleRate);
        positive("durationSeconds", durationSeconds);
        positive("chunkSeconds", chunkSeconds);
        positive("fileSeconds", fileSeconds);
        double chunkSamples = sampleRate * chunkSeconds;
        if (Math.abs(chunkSamples - Math.rint(chunkSamples)) > 1e-6 || Math.rint(chunkSamples) < 1
                || Math.rint(chunkSamples) > ChunkCodec.MAX_SAMPLES) {
            throw new IllegalArgumentException("sampleRate x chunkSeconds must be a whole number of samples in 1.."
                    + ChunkCodec.MAX_SAMPLES + ", cannot be: " + chunkSamples);
        }
        wholeChunks("durationSeconds", durationSeconds, chunkSeconds);
        wholeChunks("fileSeconds", fileSeconds, chunkSeconds);
        if (!(eventRatePerMinute >= 0) || Double.isInfinite(eventRatePerMinute)) {
            throw new IllegalArgumentException("eventRatePerMinute must be a finite number >= 0, cannot be: "
                    + eventRatePerMinute);
        }
        eventMix = checkMix(eventMix);
        Objects.requireNonNull(driftMode, "driftMode");
        if (!(driftOnsetSeconds >= 0 && driftOnsetSeconds <= durationSeconds)) {
            throw new IllegalArgumentException("driftOnsetSeconds must be within 0.." + durationSeconds
                    + ", cannot be: " + driftOnsetSeconds);
        }
        if (!(faultRate >= 0 && faultRate <= 1)) {
            throw new IllegalArgumentException("faultRate must be within 0..1, cannot be: " + faultRate);
        }
    }

    /** A builder with every default set except {@code output}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().output(output).fiberId(fiberId).channels(channels).channelSpacingM(channelSpacingM)
                .sampleRate(sampleRate).durationSeconds(durationSeconds).chunkSeconds(chunkSeconds)
                .fileSeconds(fileSeconds).startMicros(startMicros).seed(seed).interrogatorId(interrogatorId)
                .eventRatePerMinute(eventRatePerMinute).eventMix(eventMix).driftMode(driftMode)
                .driftOnsetSeconds(driftOnsetSeconds).faultRate(faultRate);
    }

    /** Samples in one record. */
    public int chunkSamples() {
        return (int) Math.rint(sampleRate * chunkSeconds);
    }

    /** Chunks (records per channel) in the whole recording. */
    public long chunkCount() {
        return Math.round(durationSeconds / chunkSeconds);
    }

    /** Chunks per landing file. */
    public int chunksPerFile() {
        return (int) Math.round(fileSeconds / chunkSeconds);
    }

    /** Number of regular landing files (the last may cover fewer chunks). */
    public long fileCount() {
        return (chunkCount() + chunksPerFile() - 1) / chunksPerFile();
    }

    /** Total samples per channel. */
    public long totalSamples() {
        return chunkCount() * chunkSamples();
    }

    private static void checkId(String name, String value) {
        if (value == null || !ID.matcher(value).matches()
                || value.getBytes(StandardCharsets.UTF_8).length > ChunkCodec.MAX_STRING_BYTES) {
            throw new IllegalArgumentException(name + " must be letters, digits, '.', '_' or '-' (at most "
                    + ChunkCodec.MAX_STRING_BYTES + " bytes), cannot be: " + quoted(value));
        }
    }

    private static void positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number > 0, cannot be: " + value);
        }
    }

    private static void wholeChunks(String name, double seconds, double chunkSeconds) {
        double chunks = seconds / chunkSeconds;
        if (Math.abs(chunks - Math.rint(chunks)) > 1e-9 * Math.max(1, chunks) || Math.rint(chunks) < 1) {
            throw new IllegalArgumentException(name + " must be a whole number (>= 1) of chunkSeconds ("
                    + chunkSeconds + "), cannot be: " + seconds);
        }
    }

    private static Map<EventType, Double> checkMix(Map<EventType, Double> mix) {
        Objects.requireNonNull(mix, "eventMix");
        EnumMap<EventType, Double> copy = new EnumMap<>(EventType.class);
        double sum = 0;
        for (Map.Entry<EventType, Double> e : mix.entrySet()) {
            EventType type = Objects.requireNonNull(e.getKey(), "eventMix key");
            Double w = e.getValue();
            if (type == EventType.BACKGROUND) {
                throw new IllegalArgumentException("eventMix cannot weight background: it is the absence of events");
            }
            if (w == null || !(w >= 0) || w.isInfinite()) {
                throw new IllegalArgumentException("eventMix weight of " + type.label()
                        + " must be a finite number >= 0, cannot be: " + w);
            }
            copy.put(type, w);
            sum += w;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("eventMix must give at least one event type a weight > 0, cannot be: "
                    + mix);
        }
        return Collections.unmodifiableMap(copy);
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String output;
        private String fiberId = "fiber-1";
        private int channels = 256;
        private double channelSpacingM = 1.0;
        private double sampleRate = 1000.0;
        private double durationSeconds = 120;
        private double chunkSeconds = 1.0;
        private double fileSeconds = 10;
        private long startMicros = DEFAULT_START_MICROS;
        private long seed = 42;
        private String interrogatorId = "iu-1";
        private double eventRatePerMinute = 4.0;
        private Map<EventType, Double> eventMix = defaultMix();
        private DriftMode driftMode = DriftMode.NONE;
        private double driftOnsetSeconds = Double.NaN;
        private double faultRate = 0;

        private Builder() {
        }

        /** The default mix: pigs are rarer than the rest. */
        public static Map<EventType, Double> defaultMix() {
            EnumMap<EventType, Double> mix = new EnumMap<>(EventType.class);
            mix.put(EventType.LEAK, 1.0);
            mix.put(EventType.DIGGING, 1.0);
            mix.put(EventType.WALKING, 1.0);
            mix.put(EventType.VEHICLE, 1.0);
            mix.put(EventType.PIG, 0.5);
            return mix;
        }

        public Builder output(String v) {
            output = v;
            return this;
        }

        public Builder fiberId(String v) {
            fiberId = v;
            return this;
        }

        public Builder channels(int v) {
            channels = v;
            return this;
        }

        public Builder channelSpacingM(double v) {
            channelSpacingM = v;
            return this;
        }

        public Builder sampleRate(double v) {
            sampleRate = v;
            return this;
        }

        public Builder durationSeconds(double v) {
            durationSeconds = v;
            return this;
        }

        public Builder chunkSeconds(double v) {
            chunkSeconds = v;
            return this;
        }

        public Builder fileSeconds(double v) {
            fileSeconds = v;
            return this;
        }

        public Builder startMicros(long v) {
            startMicros = v;
            return this;
        }

        public Builder start(Instant v) {
            startMicros = Math.addExact(Math.multiplyExact(v.getEpochSecond(), 1_000_000L), v.getNano() / 1000);
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder interrogatorId(String v) {
            interrogatorId = v;
            return this;
        }

        public Builder eventRatePerMinute(double v) {
            eventRatePerMinute = v;
            return this;
        }

        public Builder eventMix(Map<EventType, Double> v) {
            eventMix = v == null ? null : v.isEmpty() ? new EnumMap<>(EventType.class) : new EnumMap<>(v);
            return this;
        }

        public Builder driftMode(DriftMode v) {
            driftMode = v;
            return this;
        }

        /** Seconds after the start; NaN (the default) means the middle of the recording. */
        public Builder driftOnsetSeconds(double v) {
            driftOnsetSeconds = v;
            return this;
        }

        public Builder faultRate(double v) {
            faultRate = v;
            return this;
        }

        public GeneratorConfig build() {
            double onset = Double.isNaN(driftOnsetSeconds) ? durationSeconds / 2 : driftOnsetSeconds;
            return new GeneratorConfig(output, fiberId, channels, channelSpacingM, sampleRate, durationSeconds,
                    chunkSeconds, fileSeconds, startMicros, seed, interrogatorId, eventRatePerMinute, eventMix,
                    driftMode, onset, faultRate);
        }
    }
}
