package io.fosm.jobs;

import io.fosm.cli.Cli;
import io.fosm.cli.ConfigOptions;
import io.fosm.cli.UsageException;
import io.fosm.config.FosmConfig;
import io.fosm.spark.Sessions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The picocli commands of the Spark jobs: their options, and which job each runs. The jobs themselves are the
 * {@code *Job} classes; {@link Fosm} puts the commands together.
 */
final class JobCommands {
    private JobCommands() {}

    /** A command that needs the configuration: {@code --profile}, {@code --conf-file}, {@code --conf}. */
    abstract static class Configured implements Callable<Integer> {
        @ParentCommand
        Fosm fosm;

        @Mixin
        ConfigOptions options;

        FosmConfig config() {
            return options.config(fosm.env());
        }
    }

    /** A command that runs Spark: the configuration is validated before the session starts. */
    abstract static class SparkJob extends Configured {
        @Override
        public final Integer call() throws Exception {
            checkOptions();
            FosmConfig config = config();
            String name = getClass().getAnnotation(Command.class).name();
            return run(Sessions.open(config, "fosm " + name), config);
        }

        /** Checks of options that depend on each other, before Spark starts. */
        void checkOptions() {}

        abstract int run(SparkSession spark, FosmConfig config) throws Exception;
    }

    /** The {@code --date} of the jobs that can process one event date. */
    static final class DateOption {
        @Option(names = "--date", paramLabel = "YYYY-MM-DD", converter = IsoDate.class,
                description = "process one event date only (default: everything)")
        LocalDate date;

        Optional<LocalDate> get() {
            return Optional.ofNullable(date);
        }
    }

    /** {@code --date}: an ISO date. */
    static final class IsoDate implements CommandLine.ITypeConverter<LocalDate> {
        @Override
        public LocalDate convert(String value) {
            try {
                return LocalDate.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new UsageException("expected YYYY-MM-DD, got '" + value + "'");
            }
        }
    }

    @Command(name = "bronze", mixinStandardHelpOptions = true,
            description = "Land new chunk files in bronze_chunks (bad files -> bronze_quarantine).")
    static final class Bronze extends SparkJob {
        @Override
        int run(SparkSession spark, FosmConfig config) {
            return BronzeJob.run(spark, config);
        }
    }

    @Command(name = "silver", mixinStandardHelpOptions = true,
            description = {"Validate + dedupe bronze, Deequ gate, publish silver_chunks (bad rows -> silver_quarantine).",
                "Exit 1 when the Deequ gate refuses the batch (nothing is published)."})
    static final class Silver extends SparkJob {
        @Mixin
        DateOption date;

        @Override
        int run(SparkSession spark, FosmConfig config) {
            return SilverJob.run(spark, config, date.get());
        }
    }

    @Command(name = "gold", mixinStandardHelpOptions = true,
            description = "Windowed spectral features with spatial context and labels -> gold_features.")
    static final class Gold extends SparkJob {
        @Mixin
        DateOption date;

        @Override
        int run(SparkSession spark, FosmConfig config) {
            return GoldJob.run(spark, config, date.get());
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train the model zoo on gold_features, log to MLflow, register the best as 'challenger'.",
                "Exit 1 when the Deequ checks of the training set fail."})
    static final class Train extends SparkJob {
        @Override
        int run(SparkSession spark, FosmConfig config) throws Exception {
            return TrainJob.run(spark, config, fosm.env());
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make the challenger the champion if it beats it (promote.* settings); not promoting is a"
                    + " normal outcome (exit 0) unless --fail-if-not-promoted.")
    static final class Promote extends SparkJob {
        @Option(names = "--fail-if-not-promoted",
                description = "exit 1 when the challenger is not promoted (for schedulers that must stop there)")
        boolean failIfNotPromoted;

        @Override
        int run(SparkSession spark, FosmConfig config) {
            return PromoteJob.promote(spark, config, failIfNotPromoted);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Give the champion alias back to the previous champion.")
    static final class Rollback extends Configured {
        @Override
        public Integer call() {
            return PromoteJob.rollback(config());
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Score gold_features with the champion -> gold_predictions.")
    static final class Score extends SparkJob {
        @Mixin
        DateOption date;

        @Override
        int run(SparkSession spark, FosmConfig config) {
            return ScoreJob.run(spark, config, date.get());
        }
    }

    @Command(name = "stream", mixinStandardHelpOptions = true,
            description = "Streaming scorer: chunks -> features -> champion scores -> stream_scores, incidents, drift"
                    + " reports, Prometheus metrics. Runs until killed unless --available-now or --for.")
    static final class Stream extends SparkJob {
        @Option(names = "--available-now", description = "process everything the source holds now, then stop")
        boolean availableNow;

        @Option(names = "--for", paramLabel = "SECONDS", converter = Cli.PositiveNumber.class,
                description = "stop after SECONDS (default: run until killed)")
        double seconds;

        @Override
        int run(SparkSession spark, FosmConfig config) throws Exception {
            return StreamJob.run(spark, config, new StreamJob.Options(availableNow, seconds));
        }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Drift reports of a gold-like table against a reference (drift_reports, JSON, HTML, flag"
                + " file), for one report window or a series of them.",
                "Exit 1 with --fail-on-drift when the last report window drifted."})
    static final class Drift extends SparkJob {
        @Option(names = "--current", required = true, paramLabel = "TABLE", converter = Cli.NonEmpty.class,
                description = "the gold-like table to check: a table name (e.g. gold_features) or a path")
        String current;

        @Option(names = "--reference", paramLabel = "TABLE|@ALIAS", converter = Cli.NonEmpty.class,
                description = "the reference: a table name or path (profiled now), or @ALIAS for the stored profile of"
                        + " the model version holding that alias (default: @champion)")
        String reference = "@champion";

        @Option(names = "--start", paramLabel = "ISO-INSTANT", converter = Cli.IsoInstant.class,
                description = "first event time to report (default: the current table's first window)")
        Instant start;

        @Option(names = "--end", paramLabel = "ISO-INSTANT", converter = Cli.IsoInstant.class,
                description = "end of the last report window, exclusive (default: its last window's end)")
        Instant end;

        @Option(names = "--window-seconds", paramLabel = "S", converter = Cli.PositiveNumber.class,
                description = "cut [start, end) into report windows of S seconds (default: one window)")
        Double windowSeconds;

        @Option(names = "--fail-on-drift", description = "exit 1 when the last report window drifted (for schedulers)")
        boolean failOnDrift;

        @Override
        void checkOptions() {
            if (start != null && end != null && !end.isAfter(start)) {
                throw new UsageException("Cannot run drift: --end must be after --start, cannot be: " + start + " .. "
                        + end);
            }
        }

        @Override
        int run(SparkSession spark, FosmConfig config) {
            return DriftJob.run(spark, config, new DriftJob.Options(current, reference, Optional.ofNullable(start),
                    Optional.ofNullable(end), Optional.ofNullable(windowSeconds), failOnDrift));
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Event-level evaluation of incidents against a ground-truth event log: prints the scorecard,"
                + " appends the figures to event_evaluation and optionally writes the JSON report (docs/incidents.md)."})
    static final class Evaluate extends SparkJob {
        @Option(names = "--events", paramLabel = "PATH", converter = Cli.NonEmpty.class,
                description = "ground-truth event log: a JSON-lines file or a folder of *_events.jsonl (default:"
                        + " labels.path)")
        String events;

        @Option(names = "--source", paramLabel = "TABLE", converter = EvaluateJob.Source.class,
                description = "incidents (default): the stream's incidents over the stretch stream_scores covers;"
                        + " stream_scores or gold_predictions: its windows replayed through the incident tracker")
        String source = "incidents";

        @Option(names = "--json", paramLabel = "FILE",
                description = "also write the report (every figure, the confusion matrix) to FILE")
        java.nio.file.Path json;

        @Override
        int run(SparkSession spark, FosmConfig config) {
            return EvaluateJob.run(spark, config, new EvaluateJob.Options(Optional.ofNullable(events), source,
                    Optional.ofNullable(json)));
        }
    }

    @Command(name = "summary", mixinStandardHelpOptions = true,
            description = "Rows per table, quarantined rows by reason, a few feature rows, incidents, drift windows.")
    static final class Summary extends SparkJob {
        @Override
        int run(SparkSession spark, FosmConfig config) {
            return SummaryJob.run(spark, config);
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "Print the effective configuration (secrets from the environment stay ${env:NAME}).")
    static final class Config extends Configured {
        @Override
        public Integer call() {
            config();
            var out = fosm.out();
            options.sources(fosm.env()).effective().forEach((k, v) -> out.println(k + " = " + v));
            out.flush();
            return 0;
        }
    }
}
