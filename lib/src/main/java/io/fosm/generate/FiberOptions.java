package io.fosm.generate;

import io.fosm.cli.Cli;
import io.fosm.cli.UsageException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of the synthetic fiber that {@code fosm generate} and {@code fosm replay} share (a picocli mixin). An
 * option not given leaves the {@link GeneratorConfig} default.
 */
public final class FiberOptions {
    @Option(names = "--fiber-id", paramLabel = "ID", converter = Cli.NonEmpty.class,
            description = "fiber id (default: fiber-1)")
    private String fiberId;

    @Option(names = "--interrogator-id", paramLabel = "ID", converter = Cli.NonEmpty.class,
            description = "interrogator unit id (default: iu-1)")
    private String interrogatorId;

    @Option(names = "--channels", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "channels along the fiber (default: 256)")
    private Integer channels;

    @Option(names = "--channel-spacing", paramLabel = "M", converter = Cli.PositiveNumber.class,
            description = "metres between channels (default: 1.0)")
    private Double channelSpacing;

    @Option(names = "--fs", paramLabel = "HZ", converter = Cli.PositiveNumber.class,
            description = "sample rate (default: 1000)")
    private Double sampleRate;

    @Option(names = "--duration", paramLabel = "S", converter = Cli.PositiveNumber.class,
            description = "recording length in seconds (default: 120)")
    private Double duration;

    @Option(names = "--chunk-seconds", paramLabel = "S", converter = Cli.PositiveNumber.class,
            description = "seconds per record, one channel x one chunk (default: 1)")
    private Double chunkSeconds;

    @Option(names = "--file-seconds", paramLabel = "S", converter = Cli.PositiveNumber.class,
            description = "seconds per landing file / render block (default: generate 10, replay one chunk)")
    private Double fileSeconds;

    @Option(names = "--seed", paramLabel = "N", converter = Cli.AnyLong.class,
            description = "random seed; same seed, same bytes (default: 42)")
    private Long seed;

    @Option(names = "--event-rate", paramLabel = "R", converter = Cli.NonNegativeNumber.class,
            description = "mean events per minute on the whole fiber (default: 4)")
    private Double eventRate;

    @Option(names = "--event-mix", paramLabel = "TYPE=WEIGHT", split = ",",
            converter = {EventMixType.class, Cli.NonNegativeNumber.class},
            description = "weights, e.g. leak=1,digging=1,walking=1,vehicle=1,pig=0.5")
    private Map<EventType, Double> eventMix;

    @Option(names = "--drift", paramLabel = "MODE", converter = Drift.class,
            description = "none | gain | noise | mix | all (default: none)")
    private DriftMode drift;

    @Option(names = "--drift-onset", paramLabel = "S", converter = Cli.NonNegativeNumber.class,
            description = "seconds after start where drift begins (default: the middle)")
    private Double driftOnset;

    /** Sets the options given on {@code b}. */
    void apply(GeneratorConfig.Builder b) {
        if (fiberId != null) {
            b.fiberId(fiberId);
        }
        if (interrogatorId != null) {
            b.interrogatorId(interrogatorId);
        }
        if (channels != null) {
            b.channels(channels);
        }
        if (channelSpacing != null) {
            b.channelSpacingM(channelSpacing);
        }
        if (sampleRate != null) {
            b.sampleRate(sampleRate);
        }
        if (duration != null) {
            b.durationSeconds(duration);
        }
        if (chunkSeconds != null) {
            b.chunkSeconds(chunkSeconds);
        }
        if (fileSeconds != null) {
            b.fileSeconds(fileSeconds);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (eventRate != null) {
            b.eventRatePerMinute(eventRate);
        }
        if (eventMix != null) {
            b.eventMix(eventMix);
        }
        if (drift != null) {
            b.driftMode(drift);
        }
        if (driftOnset != null) {
            b.driftOnsetSeconds(driftOnset);
        }
    }

    /**
     * The configuration these options (applied after {@code before}) describe.
     *
     * @throws UsageException when the values do not fit together ("Cannot use these options: ...")
     */
    public GeneratorConfig build(java.util.function.Consumer<GeneratorConfig.Builder> before,
                                 java.util.function.Consumer<GeneratorConfig.Builder> after) {
        GeneratorConfig.Builder b = GeneratorConfig.builder();
        before.accept(b);
        apply(b);
        after.accept(b);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("Cannot use these options: " + e.getMessage(), e);
        }
    }

    /** The {@code --fiber-id} given, or null. */
    public String givenFiberId() {
        return fiberId;
    }

    /** Whether {@code --file-seconds} was given. */
    public boolean hasFileSeconds() {
        return fileSeconds != null;
    }

    /** The {@code --chunk-seconds} given, or null. */
    public Double chunkSeconds() {
        return chunkSeconds;
    }

    /** {@code --drift}: one of the {@link DriftMode}s. */
    public static final class Drift implements CommandLine.ITypeConverter<DriftMode> {
        @Override
        public DriftMode convert(String value) {
            try {
                return DriftMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new UsageException("expected one of none, gain, noise, mix, all, got '" + value + "'");
            }
        }
    }

    /** The key of {@code --event-mix}: an event type (not background). */
    public static final class EventMixType implements CommandLine.ITypeConverter<EventType> {
        @Override
        public EventType convert(String value) {
            UsageException bad = new UsageException("expected type=weight pairs like leak=1,vehicle=2 (types leak,"
                    + " digging, walking, vehicle, pig), got '" + value + "'");
            EventType type;
            try {
                type = EventType.parse(value);
            } catch (IllegalArgumentException e) {
                throw bad;
            }
            if (type == EventType.BACKGROUND) {
                throw bad;
            }
            return type;
        }
    }
}
