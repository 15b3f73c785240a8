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
import java.util.function.DoublePredicate;
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

    /**
     * One command-line option: {@code --name value} or {@code --name=value}, with the value checks the generator's and
     * the replay's command lines share. A bad value is "Cannot parse NAME: expected WHAT, got 'VALUE'".
     */
    public record Option(String name, String value) {
        /** The value, which must not be blank. */
        public String nonEmpty() {
            if (value.isBlank()) {
                throw bad("a non-empty value");
            }
            return value;
        }

        /** The value as an integer > 0. */
        public int positiveInt() {
            try {
                int n = Integer.parseInt(value.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the option name
            }
            throw bad("a positive integer");
        }

        /** The value as a finite number that {@code valid} accepts; {@code expected} describes such a number. */
        public double number(String expected, DoublePredicate valid) {
            try {
                double d = Double.parseDouble(value.trim());
                if (Double.isFinite(d) && valid.test(d)) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the option name
            }
            throw bad(expected);
        }

        /** The error for a value that is not {@code expected}. */
        public IllegalArgumentException bad(String expected) {
            return new IllegalArgumentException("Cannot parse " + name + ": expected " + expected + ", got '" + value
                    + "'");
        }
    }

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
            if (!seen.add(name)) {
                throw new IllegalArgumentException("Cannot parse " + name + ": given more than once");
            }
            switch (name) {
                case "--out" -> b.output(option.nonEmpty());
                case "--fiber-id" -> b.fiberId(option.nonEmpty());
                case "--interrogator-id" -> b.interrogatorId(option.nonEmpty());
                case "--channels" -> b.channels(option.positiveInt());
                case "--channel-spacing" -> b.channelSpacingM(positiveDouble(option));
                case "--fs" -> b.sampleRate(positiveDouble(option));
                case "--duration" -> b.durationSeconds(positiveDouble(option));
                case "--chunk-seconds" -> b.chunkSeconds(positiveDouble(option));
                case "--file-seconds" -> b.fileSeconds(positiveDouble(option));
                case "--start" -> b.start(instant(option));
                case "--seed" -> b.seed(longValue(option));
                case "--event-rate" -> b.eventRatePerMinute(nonNegativeDouble(option));
                case "--event-mix" -> b.eventMix(mix(option));
                case "--drift" -> b.driftMode(drift(option));
                case "--drift-onset" -> b.driftOnsetSeconds(nonNegativeDouble(option));
                case "--fault-rate" -> b.faultRate(fraction(option));
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

    private static long longValue(Option o) {
        try {
            return Long.parseLong(o.value().trim());
        } catch (NumberFormatException e) {
            throw o.bad("an integer");
        }
    }

    private static double positiveDouble(Option o) {
        return o.number("a positive number", d -> d > 0);
    }

    private static double nonNegativeDouble(Option o) {
        return o.number("a number >= 0", d -> d >= 0);
    }

    private static double fraction(Option o) {
        return o.number("a number between 0 and 1", d -> d >= 0 && d <= 1);
    }

    private static Instant instant(Option o) {
        try {
            return Instant.parse(o.value().trim());
        } catch (DateTimeParseException e) {
            throw o.bad("an ISO-8601 UTC time like 2026-01-01T00:00:00Z");
        }
    }

    private static DriftMode drift(Option o) {
        try {
            return DriftMode.parse(o.value());
        } catch (IllegalArgumentException e) {
            throw o.bad("one of none, gain, noise, mix, all");
        }
    }

    private static Map<EventType, Double> mix(Option o) {
        String expected = "type=weight pairs like leak=1,vehicle=2 (types leak, digging, walking, vehicle, pig)";
        Map<EventType, Double> m = new EnumMap<>(EventType.class);
        for (String part : o.value().split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw o.bad(expected);
            }
            EventType type;
            try {
                type = EventType.parse(kv[0]);
            } catch (IllegalArgumentException e) {
                throw o.bad(expected);
            }
            if (type == EventType.BACKGROUND) {
                throw o.bad(expected);
            }
            m.put(type, nonNegativeDouble(new Option(o.name(), kv[1])));
        }
        return m;
    }
}
