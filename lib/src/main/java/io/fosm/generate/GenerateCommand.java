package io.fosm.generate;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;

/** Command-line front end of {@code fosm generate}; the CLI dispatcher calls {@link #run} or {@link #parse}. */
public final class GenerateCommand {

    private static final String USAGE = String.join("\n",
            "Usage: fosm generate --out DIR [options]",
            "Simulates a DAS interrogator on one fiber: landing files, ground-truth event log, optional faults.",
            "",
            "  --out DIR              output root (local path, file://, s3a://...)          (required)",
            "  --fiber-id ID          fiber id                                              (fiber-1)",
            "  --interrogator-id ID   interrogator unit id                                  (iu-1)",
            "  --channels N           channels along the fiber                              (256)",
            "  --channel-spacing M    metres between channels                               (1.0)",
            "  --fs HZ                sample rate                                           (1000)",
            "  --duration S           recording length in seconds                           (120)",
            "  --chunk-seconds S      seconds per record (one channel x one chunk)          (1)",
            "  --file-seconds S       seconds per landing file                              (10)",
            "  --start ISO            first sample time, e.g. 2026-01-01T00:00:00Z         (2026-01-01T00:00:00Z)",
            "  --seed N               random seed; same seed, same bytes                    (42)",
            "  --event-rate R         mean events per minute on the whole fiber             (4)",
            "  --event-mix SPEC       weights, e.g. leak=1,digging=1,walking=1,vehicle=1,pig=0.5",
            "  --drift MODE           none | gain | noise | mix | all                       (none)",
            "  --drift-onset S        seconds after start where drift begins                (middle)",
            "  --fault-rate F         fraction of records to corrupt, 0..1                  (0)",
            "  --help                 this text");

    private GenerateCommand() {
    }

    /** The {@code --help} text. */
    public static String usage() {
        return USAGE;
    }

    /** Whether the arguments ask for help (then {@link #parse} should not be called). */
    public static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** One command-line option: {@code --name value} or {@code --name=value}. */
    public record Option(String name, String value) {}

    /**
     * Splits {@code --name value} / {@code --name=value} arguments into options, in order (the generator's and the
     * replay's command lines share this form).
     *
     * @throws IllegalArgumentException for an argument that is not an option, or an option without its value
     */
    public static List<Option> options(String[] args) {
        List<Option> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Cannot parse arguments: unexpected '" + arg
                        + "', options look like --name value (see --help)");
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                out.add(new Option(arg.substring(0, eq), arg.substring(eq + 1)));
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Cannot parse " + arg + ": missing value");
                }
                out.add(new Option(arg, args[++i]));
            }
        }
        return out;
    }

    /**
     * Parses {@code --name value} or {@code --name=value} options.
     *
     * @throws IllegalArgumentException naming the option and the expected value, e.g.
     *     "Cannot parse --channels: expected a positive integer, got 'abc'"
     */
    public static GeneratorConfig parse(String[] args) {
        GeneratorConfig.Builder b = GeneratorConfig.builder();
        Set<String> seen = new HashSet<>();
        for (Option option : options(args)) {
            String name = option.name();
            String value = option.value();
            if (!seen.add(name)) {
                throw new IllegalArgumentException("Cannot parse " + name + ": given more than once");
            }
            switch (name) {
                case "--out" -> b.output(nonEmpty(name, value));
                case "--fiber-id" -> b.fiberId(nonEmpty(name, value));
                case "--interrogator-id" -> b.interrogatorId(nonEmpty(name, value));
                case "--channels" -> b.channels(positiveInt(name, value));
                case "--channel-spacing" -> b.channelSpacingM(positiveDouble(name, value));
                case "--fs" -> b.sampleRate(positiveDouble(name, value));
                case "--duration" -> b.durationSeconds(positiveDouble(name, value));
                case "--chunk-seconds" -> b.chunkSeconds(positiveDouble(name, value));
                case "--file-seconds" -> b.fileSeconds(positiveDouble(name, value));
                case "--start" -> b.start(instant(name, value));
                case "--seed" -> b.seed(longValue(name, value));
                case "--event-rate" -> b.eventRatePerMinute(nonNegativeDouble(name, value));
                case "--event-mix" -> b.eventMix(mix(name, value));
                case "--drift" -> b.driftMode(drift(name, value));
                case "--drift-onset" -> b.driftOnsetSeconds(nonNegativeDouble(name, value));
                case "--fault-rate" -> b.faultRate(fraction(name, value));
                default -> throw new IllegalArgumentException("Cannot parse arguments: unknown option " + name
                        + " (see --help)");
            }
        }
        if (!seen.contains("--out")) {
            throw new IllegalArgumentException("Cannot parse arguments: --out DIR is required");
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot use these options: " + e.getMessage(), e);
        }
    }

    /**
     * Parses, generates and reports; returns the process exit code (0 ok, 2 bad arguments, 1 failure).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, Configuration::new, out, err);
    }

    /**
     * As {@link #run(String[], PrintStream, PrintStream)}, writing with the Hadoop configuration {@code hadoopConf}
     * supplies (e.g. the s3a endpoint of an S3-compatible store); it is only asked for once the arguments parsed.
     */
    public static int run(String[] args, Supplier<Configuration> hadoopConf, PrintStream out, PrintStream err) {
        if (wantsHelp(args)) {
            out.println(USAGE);
            return 0;
        }
        GeneratorConfig cfg;
        try {
            cfg = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println("Run 'fosm generate --help' for the options.");
            return 2;
        }
        // outside the try: a bad configuration is the caller's error (a usage error), not a generation failure
        Configuration conf = hadoopConf.get();
        try {
            GenerateResult result = new FiberSimulator(cfg).run(conf);
            out.println(result.summary());
            return 0;
        } catch (Exception e) {
            err.println("Cannot generate into " + cfg.output() + ": " + e);
            return 1;
        }
    }

    private static String nonEmpty(String name, String v) {
        if (v.isBlank()) {
            throw bad(name, "a non-empty value", v);
        }
        return v;
    }

    private static int positiveInt(String name, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the option name
        }
        throw bad(name, "a positive integer", v);
    }

    private static long longValue(String name, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw bad(name, "an integer", v);
        }
    }

    private static double number(String name, String v, String expected) {
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the option name
        }
        throw bad(name, expected, v);
    }

    private static double positiveDouble(String name, String v) {
        double d = number(name, v, "a positive number");
        if (d <= 0) {
            throw bad(name, "a positive number", v);
        }
        return d;
    }

    private static double nonNegativeDouble(String name, String v) {
        double d = number(name, v, "a number >= 0");
        if (d < 0) {
            throw bad(name, "a number >= 0", v);
        }
        return d;
    }

    private static double fraction(String name, String v) {
        double d = number(name, v, "a number between 0 and 1");
        if (d < 0 || d > 1) {
            throw bad(name, "a number between 0 and 1", v);
        }
        return d;
    }

    private static Instant instant(String name, String v) {
        try {
            return Instant.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw bad(name, "an ISO-8601 UTC time like 2026-01-01T00:00:00Z", v);
        }
    }

    private static DriftMode drift(String name, String v) {
        try {
            return DriftMode.parse(v);
        } catch (IllegalArgumentException e) {
            throw bad(name, "one of none, gain, noise, mix, all", v);
        }
    }

    private static Map<EventType, Double> mix(String name, String v) {
        String expected = "type=weight pairs like leak=1,vehicle=2 (types leak, digging, walking, vehicle, pig)";
        Map<EventType, Double> m = new EnumMap<>(EventType.class);
        for (String part : v.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw bad(name, expected, v);
            }
            EventType type;
            try {
                type = EventType.parse(kv[0]);
            } catch (IllegalArgumentException e) {
                throw bad(name, expected, v);
            }
            if (type == EventType.BACKGROUND) {
                throw bad(name, expected, v);
            }
            m.put(type, nonNegativeDouble(name, kv[1]));
        }
        return m;
    }

    private static IllegalArgumentException bad(String name, String expected, String got) {
        return new IllegalArgumentException("Cannot parse " + name + ": expected " + expected + ", got '" + got + "'");
    }
}
