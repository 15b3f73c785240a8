package io.fosm.jobs;

import io.fosm.cli.Cli;
import io.fosm.generate.GenerateCommand;
import io.fosm.kafka.ReplayCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one entry point of the shaded jar: {@code spark-submit --class io.fosm.jobs.Fosm fosm.jar <command> [options]}.
 * The command line is picocli's ({@code fosm --help}, {@code fosm <command> --help}); every command follows the
 * failure contract of {@link io.fosm.cli.ExitCode}: 0 done, 1 the job ran and refused (a quality gate, drift with
 * --fail-on-drift, ...), 2 bad arguments or configuration, 3 any other failure; the first stderr line
 * ({@code fosm <command>: ...}) says why.
 */
@Command(name = "fosm", mixinStandardHelpOptions = true, version = "fosm 0.1.0",
        description = "Fiber-optic pipeline monitoring on Apache Spark: the lakehouse jobs, training, scoring, the"
                + " streaming scorer and drift reports.",
        footer = {"", "`fosm <command> --help` shows a command's options. Exit codes: 0 done, 1 refused (quality gate,"
            + " --fail-on-drift, --fail-if-not-promoted), 2 bad arguments or configuration, 3 failed (may succeed"
            + " on a retry)."})
public final class Fosm implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec
    private CommandSpec spec;

    private Fosm(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv());
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command and returns its exit code; never exits the JVM itself (tests call this). */
    public static int run(String[] args, Map<String, String> env) {
        return commandLine(env, System.out, System.err).execute(args);
    }

    /** The whole command tree, writing to {@code out} and {@code err}. */
    static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Fosm(env));
        cl.addSubcommand("generate", new GenerateCommand(env));
        cl.addSubcommand("replay", new ReplayCommand(env));
        for (Class<?> job : new Class<?>[] {JobCommands.Bronze.class, JobCommands.Silver.class, JobCommands.Gold.class,
            JobCommands.Train.class, JobCommands.Promote.class, JobCommands.Rollback.class, JobCommands.Score.class,
            JobCommands.Stream.class, JobCommands.Drift.class, JobCommands.Evaluate.class, JobCommands.Summary.class, JobCommands.Config.class}) {
            cl.addSubcommand(job);
        }
        // after the subcommands: picocli applies these settings to the commands present when they are set
        return Cli.configure(cl, out, err);
    }

    Map<String, String> env() {
        return env;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Cannot run fosm: a command is required");
    }
}
