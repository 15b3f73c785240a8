package io.fosm.kafka;

import io.fosm.cli.Cli;
import io.fosm.cli.ConfigOptions;
import io.fosm.cli.UsageException;
import io.fosm.config.FosmConfig;
import io.fosm.generate.FiberOptions;
import io.fosm.generate.GeneratorConfig;
import io.fosm.spark.Sessions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fosm replay} (picocli): renders a synthetic fiber and sends it to Kafka. The broker, the topic, the Kafka
 * client security settings and the file system of the logs come from the same configuration as every other command
 * ({@code stream.kafka.bootstrap_servers}, {@code stream.kafka.topic}, {@code stream.kafka.option.*}, {@code s3.*});
 * {@code --bootstrap} and {@code --topic} override the first two. Exit codes: {@link io.fosm.cli.ExitCode}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = {"fosm replay --out DIR [options]", "fosm replay --from FILE[,FILE...] --fiber-id ID [options]"},
        description = {"Renders a synthetic fiber and sends it to Kafka as chunk records (key <fiber>/<channel>), paced"
                + " like a live interrogator, with malformed messages injected and logged (docs/kafka.md).",
            "The fiber options are those of fosm generate; the event log and faults log go to DIR/events/."})
public final class ReplayCommand implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", converter = Cli.NonEmpty.class,
            description = "folder for the logs (local path, file://, s3a://...); required unless --from is given")
    private String out;

    @Option(names = "--from", paramLabel = "FILE", split = ",",
            description = "replay real interrogator recordings (PRODML, TDMS, Terra15, Febus, AP Sensing, OptoDAS,"
                    + " SEG-Y, FOSF; comma-separated or repeated) at their own rate instead of a synthetic fiber;"
                    + " needs --fiber-id; --start is now or file, --chunk-seconds sets the chunk length")
    private List<java.nio.file.Path> from;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", converter = Cli.NonEmpty.class,
            description = "Kafka bootstrap servers (default: stream.kafka.bootstrap_servers)")
    private String bootstrap;

    @Option(names = "--topic", paramLabel = "NAME", converter = Cli.NonEmpty.class,
            description = "topic; created when missing (default: stream.kafka.topic)")
    private String topic;

    @Option(names = "--partitions", paramLabel = "N", converter = Cli.PositiveInt.class,
            description = "partitions of a topic the replay creates (default: 2)")
    private int partitions = 2;

    @Option(names = "--start", paramLabel = "now|ISO", converter = Cli.NonEmpty.class,
            description = "first sample time; 'now' paces against the wall clock (default: now)")
    private String start = "now";

    @Option(names = "--speed", paramLabel = "X", converter = Speed.class,
            description = "real-time factor; 0 sends as fast as possible (default: 1)")
    private Double speed;

    @Option(names = "--rate", paramLabel = "S", converter = Cli.PositiveNumber.class,
            description = "samples/s instead of --speed (channels x fs = real time)")
    private Double rate;

    @Option(names = "--fault-rate", paramLabel = "F", converter = Cli.Fraction.class,
            description = "fraction of messages to corrupt, 0..1 (default: 0)")
    private double faultRate;

    @Option(names = "--faults", paramLabel = "LIST", split = ",", converter = Fault.class,
            description = "faults to draw from, comma-separated (default: all): garbage, truncated, bad_version,"
                    + " nan_samples, wrong_sample_count, unknown_channel, unknown_fiber, future_timestamp, duplicate,"
                    + " out_of_order, late")
    private List<MessageFault> faults;

    @Option(names = "--late-seconds", paramLabel = "S", converter = Cli.PositiveNumber.class,
            description = "event time a 'late' message is held back (default: 30)")
    private double lateSeconds = 30;

    @Mixin
    private FiberOptions fiber;

    @Mixin
    private ConfigOptions config;

    /** The command, reading configuration environment variables from {@code env}. */
    public ReplayCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The {@code --help} text. */
    public static String usage() {
        return new CommandLine(new ReplayCommand(Map.of())).setCommandName("fosm replay").getUsageMessage();
    }

    /** Parsed command line: the options, and whether pacing follows the wall clock. */
    public record Parsed(ReplayOptions options, boolean live) {
    }

    /**
     * Parses the options with the configuration of {@code env}; {@code now} resolves {@code --start now}.
     *
     * @throws UsageException naming the option and the expected value, or a configuration key
     */
    public static Parsed parse(String[] args, Map<String, String> env, Instant now) {
        ReplayCommand command = new ReplayCommand(env);
        try {
            new CommandLine(command).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(Cli.message(e), e);
        }
        return command.parsed(command.config.config(env), now);
    }

    /** As {@link #parse(String[], Map, Instant)} with the configuration of the default profile alone. */
    public static Parsed parse(String[] args, Instant now) {
        return parse(args, Map.of(), now);
    }

    /** Parses, replays and reports; returns the exit code ({@link io.fosm.cli.ExitCode}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Cli.commandLine(new ReplayCommand(System.getenv()), out, err).setCommandName("fosm replay")
                .execute(args);
    }

    private FileReplay.Options fileOptions(FosmConfig fosm) {
        if (fiber.givenFiberId() == null) {
            throw new UsageException("Cannot parse arguments: --fiber-id is required with --from");
        }
        if (out != null) {
            throw new UsageException("Cannot parse arguments: give --out (a synthetic fiber) or --from (a recording),"
                    + " not both");
        }
        for (java.nio.file.Path f : from) {
            if (!java.nio.file.Files.isRegularFile(f)) {
                throw new UsageException("Cannot parse --from: " + f + " is not a readable file");
            }
        }
        String when = start.trim();
        if (!when.equals("now") && !when.equals("file")) {
            throw new UsageException("Cannot parse --start: expected now or file with --from, got '" + start + "'");
        }
        if (rate != null) {
            throw new UsageException("Cannot parse arguments: --rate does not apply to --from (use --speed)");
        }
        return new FileReplay.Options(List.copyOf(from), fiber.givenFiberId(),
                bootstrap != null ? bootstrap : fosm.stream().kafkaBootstrap(),
                topic != null ? topic : fosm.stream().kafkaTopic(), partitions, speed != null ? speed : 1.0,
                when.equals("now"), fiber.chunkSeconds() == null ? 1.0 : fiber.chunkSeconds(), fosm.kafkaOptions());
    }

    private Parsed parsed(FosmConfig fosm, Instant now) {
        if (out == null) {
            throw new UsageException("Cannot parse arguments: --out DIR is required (or --from FILE to replay a recording)");
        }
        if (speed != null && rate != null) {
            throw new UsageException("Cannot parse arguments: give --speed or --rate, not both");
        }
        boolean live = start.trim().equalsIgnoreCase("now");
        Instant first;
        try {
            first = live ? now.truncatedTo(ChronoUnit.SECONDS) : Instant.parse(start.trim());
        } catch (DateTimeParseException e) {
            throw new UsageException("Cannot parse --start: expected now or an ISO-8601 UTC time like"
                    + " 2026-01-01T00:00:00Z, got '" + start + "'");
        }
        GeneratorConfig generator = fiber.build(b -> b.output(out), b -> {
            b.start(first);
            if (!fiber.hasFileSeconds()) {
                // render one chunk at a time: a live feed should not wait for ten seconds of samples to be rendered
                b.fileSeconds(fiber.chunkSeconds() == null ? 1.0 : fiber.chunkSeconds());
            }
        });
        double resolvedSpeed = rate != null ? rate / (generator.channels() * generator.sampleRate())
                : speed != null ? speed : 1.0;
        try {
            return new Parsed(ReplayOptions.builder(generator)
                    .bootstrap(bootstrap != null ? bootstrap : fosm.stream().kafkaBootstrap())
                    .topic(topic != null ? topic : fosm.stream().kafkaTopic())
                    .partitions(partitions).speed(resolvedSpeed).faultRate(faultRate)
                    .faults(faults == null ? MessageFault.ALL : faults)
                    .lateSeconds(lateSeconds).kafkaOptions(fosm.kafkaOptions()).build(), live);
        } catch (IllegalArgumentException e) {
            throw new UsageException("Cannot use these options: " + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        FosmConfig fosm = config.config(env);
        if (from != null && !from.isEmpty()) {
            return FileReplay.run(fileOptions(fosm), spec.commandLine().getOut());
        }
        Parsed parsed = parsed(fosm, Instant.now());
        ReplayOptions o = parsed.options();
        GeneratorConfig g = o.generator();
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf("replay: %s, %d channels x %.0f s at %.0f Hz (%.0f samples/s real time) into %s at %s, speed %s,"
                        + " start %s%s, drift %s, fault rate %s%n", g.fiberId(), g.channels(), g.durationSeconds(),
                g.sampleRate(), o.realTimeSamplesPerSecond(), o.topic(), o.bootstrap(),
                o.speed() == 0 ? "unpaced" : String.format("%.3gx", o.speed()),
                parsed.live() ? "now" : Instant.ofEpochSecond(g.startMicros() / 1_000_000L),
                parsed.live() ? " (live: the first whole second after connecting)" : "",
                g.driftMode().name().toLowerCase(java.util.Locale.ROOT)
                        + (g.driftMode() == io.fosm.generate.DriftMode.NONE ? "" : " from " + g.driftOnsetSeconds() + " s"),
                o.faultRate());
        printer.flush();
        PrintStream progress = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                printer.write(b);
            }

            @Override
            public void flush() {
                printer.flush();
            }
        }, true);
        ReplayResult result;
        try {
            result = new Replay(o, parsed.live(), Sessions.hadoopConfiguration(fosm)).run(progress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot replay into " + o.topic() + " at " + o.bootstrap() + ": "
                    + e.getMessage(), e);
        }
        printer.println(result.summary());
        printer.flush();
        return 0;
    }

    /** {@code --speed}: a number >= 0. */
    public static final class Speed implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                double d = Double.parseDouble(value.trim());
                if (Double.isFinite(d) && d >= 0) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException("expected a number >= 0 (0 = as fast as possible), got '" + value + "'");
        }
    }

    /** An element of {@code --faults}: a {@link MessageFault} label. */
    public static final class Fault implements CommandLine.ITypeConverter<MessageFault> {
        @Override
        public MessageFault convert(String value) {
            try {
                return MessageFault.parse(value);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }
}
