package io.fosm.kafka;

import io.fosm.generate.GenerateCommand;
import io.fosm.generate.GeneratorConfig;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/** Command-line front end of {@code fosm replay}; the CLI dispatcher calls {@link #run}. */
public final class ReplayCommand {

    private static final String USAGE = String.join("\n",
            "Usage: fosm replay --out DIR [options]",
            "Renders a synthetic fiber and sends it to Kafka as chunk records (key <fiber>/<channel>), paced like a",
            "live interrogator, with malformed messages injected and logged (docs/kafka.md).",
            "",
            "Kafka and pacing:",
            "  --bootstrap HOST:PORT  Kafka bootstrap servers                              (127.0.0.1:9092)",
            "  --topic NAME           topic; created when missing                          (fosm-chunks)",
            "  --partitions N         partitions of a topic the replay creates             (2)",
            "  --start now|ISO        first sample time; 'now' paces against the wall clock (now)",
            "  --speed X              real-time factor; 0 sends as fast as possible        (1)",
            "  --rate S               samples/s instead of --speed (channels x fs = real time)",
            "  --fault-rate F         fraction of messages to corrupt, 0..1                (0)",
            "  --faults LIST          faults to draw from, comma-separated                 (all)",
            "                         garbage, truncated, bad_version, nan_samples, wrong_sample_count,",
            "                         unknown_channel, unknown_fiber, future_timestamp, duplicate, out_of_order, late",
            "  --late-seconds S       event time a 'late' message is held back             (30)",
            "",
            "The fiber (as fosm generate; the event log and faults log go to DIR/events/):",
            "  --out DIR              folder for the logs (local path, file://, s3a://...)  (required)",
            "  --fiber-id ID, --interrogator-id ID, --channels N, --channel-spacing M, --fs HZ, --duration S,",
            "  --chunk-seconds S, --file-seconds S (render block; default = chunk), --seed N, --event-rate R,",
            "  --event-mix SPEC, --drift none|gain|noise|mix|all, --drift-onset S (default: the middle)",
            "  --help                 this text");

    private static final Set<String> OWN = Set.of("--bootstrap", "--topic", "--partitions", "--start", "--speed",
            "--rate", "--fault-rate", "--faults", "--late-seconds");

    private ReplayCommand() {
    }

    /** The {@code --help} text. */
    public static String usage() {
        return USAGE;
    }

    /** Parsed command line: the options, and whether pacing follows the wall clock. */
    public record Parsed(ReplayOptions options, boolean live) {
    }

    /**
     * Parses {@code --name value} or {@code --name=value} options; {@code now} resolves {@code --start now}.
     *
     * @throws IllegalArgumentException naming the option and the expected value
     */
    public static Parsed parse(String[] args, Instant now) {
        List<String> generatorArgs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String bootstrap = ReplayOptions.DEFAULT_BOOTSTRAP;
        String topic = ReplayOptions.DEFAULT_TOPIC;
        int partitions = 2;
        String start = "now";
        Double speed = null;
        Double rate = null;
        double faultRate = 0;
        List<MessageFault> faults = MessageFault.ALL;
        double lateSeconds = 30;
        String chunkSeconds = null;
        boolean fileSeconds = false;
        for (GenerateCommand.Option option : GenerateCommand.options(args)) {
            String name = option.name();
            String value = option.value();
            if (!OWN.contains(name)) {
                // the generator's options: validated (and duplicates refused) by GenerateCommand.parse below
                if (name.equals("--chunk-seconds")) {
                    chunkSeconds = value;
                }
                fileSeconds |= name.equals("--file-seconds");
                generatorArgs.add(name);
                generatorArgs.add(value);
                continue;
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("Cannot parse " + name + ": given more than once");
            }
            switch (name) {
                case "--bootstrap" -> bootstrap = option.nonEmpty();
                case "--topic" -> topic = option.nonEmpty();
                case "--partitions" -> partitions = option.positiveInt();
                case "--start" -> start = option.nonEmpty().trim();
                case "--speed" -> speed = option.number("a number >= 0 (0 = as fast as possible)", d -> d >= 0);
                case "--rate" -> rate = option.number("a number of samples/s > 0", d -> d > 0);
                case "--fault-rate" -> faultRate = option.number("a number between 0 and 1", d -> d >= 0 && d <= 1);
                case "--faults" -> faults = faults(option);
                case "--late-seconds" -> lateSeconds = option.number("a number of seconds > 0", d -> d > 0);
                default -> throw new IllegalStateException("unhandled option " + name);
            }
        }
        if (speed != null && rate != null) {
            throw new IllegalArgumentException("Cannot parse arguments: give --speed or --rate, not both");
        }
        boolean live = start.equalsIgnoreCase("now");
        generatorArgs.add("--start");
        generatorArgs.add(live ? now.truncatedTo(ChronoUnit.SECONDS).toString() : start);
        if (!fileSeconds) {
            // render one chunk at a time: a live feed should not wait for ten seconds of samples to be rendered
            generatorArgs.add("--file-seconds");
            generatorArgs.add(chunkSeconds == null ? "1" : chunkSeconds);
        }
        GeneratorConfig generator = GenerateCommand.parse(generatorArgs.toArray(new String[0]));
        double resolvedSpeed = rate != null ? rate / (generator.channels() * generator.sampleRate())
                : speed != null ? speed : 1.0;
        try {
            return new Parsed(ReplayOptions.builder(generator).bootstrap(bootstrap).topic(topic).partitions(partitions)
                    .speed(resolvedSpeed).faultRate(faultRate).faults(faults).lateSeconds(lateSeconds).build(), live);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot use these options: " + e.getMessage(), e);
        }
    }

    /** Parses, replays and reports; returns the process exit code (0 ok, 2 bad arguments, 3 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE);
                out.println();
                out.println(FileReplay.USAGE);
                return 0;
            }
        }
        if (FileReplay.wanted(args)) {
            // a real recording instead of a synthetic fiber
            return FileReplay.run(args, out, err);
        }
        Parsed parsed;
        try {
            parsed = parse(args, Instant.now());
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println("Run 'fosm replay --help' for the options.");
            return 2;
        }
        ReplayOptions o = parsed.options();
        GeneratorConfig g = o.generator();
        out.printf("replay: %s, %d channels x %.0f s at %.0f Hz (%.0f samples/s real time) into %s at %s, speed %s,"
                        + " start %s%s, drift %s, fault rate %s%n", g.fiberId(), g.channels(), g.durationSeconds(),
                g.sampleRate(), o.realTimeSamplesPerSecond(), o.topic(), o.bootstrap(),
                o.speed() == 0 ? "unpaced" : String.format("%.3gx", o.speed()),
                parsed.live() ? "now" : Instant.ofEpochSecond(g.startMicros() / 1_000_000L),
                parsed.live() ? " (live: the first whole second after connecting)" : "",
                g.driftMode().name().toLowerCase(java.util.Locale.ROOT)
                        + (g.driftMode() == io.fosm.generate.DriftMode.NONE ? "" : " from " + g.driftOnsetSeconds() + " s"),
                o.faultRate());
        try {
            ReplayResult result = new Replay(o, parsed.live(), new Configuration()).run(out);
            out.println(result.summary());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("Cannot finish the replay into " + o.topic() + ": interrupted");
            return 3;
        } catch (Exception e) {
            err.println("Cannot replay into " + o.topic() + " at " + o.bootstrap() + ": " + e.getMessage());
            return 3;
        }
    }

    private static List<MessageFault> faults(GenerateCommand.Option option) {
        List<MessageFault> out = new ArrayList<>();
        for (String part : option.value().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(MessageFault.parse(part));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Cannot parse " + option.name() + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw option.bad("a comma-separated list of faults");
        }
        return out;
    }
}
