package io.fosm.jobs;

import io.fosm.config.ConfigException;
import io.fosm.config.FosmConfig;
import io.fosm.spark.Sessions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The one entry point of the shaded jar: {@code spark-submit --class io.fosm.jobs.Fosm fosm.jar <command> [options]}.
 * Exit codes: 0 done, 1 the job ran but refused to publish (e.g. a failed quality gate), 2 bad arguments or
 * configuration, 3 the job failed (missing input table, a failed Spark task, ...); the first line on stderr says why.
 */
public final class Fosm {
    private Fosm() {}

    static final String USAGE = """
            usage: fosm <command> [options]

            commands:
                generate   write a synthetic fiber (landing chunk files + ground-truth event log)
                replay     send a synthetic fiber to Kafka as a paced live feed, with logged malformed messages
                bronze     land new chunk files in bronze_chunks (bad files -> bronze_quarantine)
                silver     validate + dedupe bronze, Deequ gate, publish silver_chunks (bad rows -> silver_quarantine)
                gold       windowed spectral features with spatial context and labels -> gold_features
        train      train the model zoo on gold_features, log to MLflow, register the best as 'challenger'
        promote    make the challenger the champion if it beats it (promote.* settings)
        rollback   give the champion alias back to the previous champion
        score      score gold_features with the champion -> gold_predictions
        stream     streaming scorer: chunks -> features -> champion scores -> stream_scores, incidents
        drift      drift reports of a gold-like table against a reference (drift_reports, JSON, HTML, flag file)
        evaluate   event-level evaluation of incidents against a ground-truth event log (scorecard, JSON, Delta)
                summary    rows per table, quarantined rows by reason, a few feature rows
                config     print the effective configuration

            `fosm <command> --help` shows a command's options.
            """ + JobArgs.USAGE;

    private static final List<String> COMMANDS = List.of("generate", "replay", "bronze", "silver", "gold", "train",
            "promote", "rollback", "score", "drift", "stream", "evaluate", "summary", "config");
    private static final List<String> DATED = List.of("silver", "gold", "score");

    public static void main(String[] args) {
        int code = run(args, System.getenv());
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command and returns its exit code; never exits the JVM itself (tests call this). */
    public static int run(String[] args, Map<String, String> env) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (!COMMANDS.contains(command)) {
            System.err.println("fosm: unknown command '" + command + "'\n\n" + USAGE);
            return 2;
        }
        try {
            if (rest.contains("--help") || rest.contains("-h")) {
                System.out.println(command.equals("generate") ? GenerateJob.usage()
                        : command.equals("replay") ? ReplayJob.usage()
                        : command.equals("stream") ? StreamJob.USAGE + JobArgs.USAGE
                        : command.equals("drift") ? DriftJob.USAGE + JobArgs.USAGE
                        : command.equals("evaluate") ? EvaluateJob.USAGE + JobArgs.USAGE
                        : "usage: fosm " + command + " [options]\n" + JobArgs.USAGE);
                return 0;
            }
            if (command.equals("generate")) {
                return GenerateJob.run(rest, env);
            }
            if (command.equals("drift")) {
                return DriftJob.run(rest, env);
            }
            if (command.equals("replay")) {
                return ReplayJob.run(rest);
            }
            StreamJob.Options streamOptions = null;
            if (command.equals("stream")) {
                rest = new java.util.ArrayList<>(rest);
                streamOptions = StreamJob.Options.take(rest);
            }
            EvaluateJob.Options evaluateOptions = null;
            if (command.equals("evaluate")) {
                rest = new java.util.ArrayList<>(rest);
                evaluateOptions = EvaluateJob.Options.take(rest);
            }
            JobArgs jobArgs = JobArgs.parse(command, rest, env);
            if (jobArgs.date().isPresent() && !DATED.contains(command)) {
                throw new ConfigException("Cannot run " + command + " for one --date: only " + DATED
                        + " process a single event date");
            }
            FosmConfig config = jobArgs.config(env);
            if (command.equals("config")) {
                io.fosm.config.ConfigSources.load(jobArgs.profile(), jobArgs.confFile().orElse(null), env, jobArgs.overrides())
                        .effective().forEach((k, v) -> System.out.println(k + " = " + v));
                return 0;
            }
            if (command.equals("rollback")) {
                return PromoteJob.rollback(config);
            }
            SparkSession spark = Sessions.open(config, "fosm " + command);
            return switch (command) {
                case "bronze" -> BronzeJob.run(spark, config);
                case "silver" -> SilverJob.run(spark, config, jobArgs.date());
                case "gold" -> GoldJob.run(spark, config, jobArgs.date());
                case "train" -> TrainJob.run(spark, config, env);
                case "promote" -> PromoteJob.promote(spark, config);
                case "score" -> ScoreJob.run(spark, config, jobArgs.date());
                case "stream" -> StreamJob.run(spark, config, streamOptions);
                case "evaluate" -> EvaluateJob.run(spark, config, evaluateOptions);
                default -> SummaryJob.run(spark, config);
            };
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("fosm " + command + ": " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            System.err.println("fosm " + command + ": " + e.getMessage());
            return 3;
        } catch (java.io.IOException | java.util.concurrent.TimeoutException e) {
            System.err.println("fosm " + command + ": Cannot complete: " + e);
            return 3;
        } catch (RuntimeException e) {
            // a task failure surfaces as a SparkException wrapping the executor's error: name the root cause first
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            System.err.println("fosm " + command + ": Cannot complete: " + root.getClass().getSimpleName() + ": "
                    + root.getMessage());
            e.printStackTrace();
            return 3;
        }
    }
}
