package io.fosm.generate;

import io.fosm.cli.Cli;
import io.fosm.cli.ConfigOptions;
import io.fosm.cli.UsageException;
import io.fosm.spark.Sessions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fosm generate} (picocli): simulates a DAS interrogator on one fiber. It writes through the Hadoop FileSystem
 * API with the file system settings a job's session would get (spark-submit's {@code spark.hadoop.*} and the
 * {@code s3.*} keys of the configuration the options and environment select), so {@code --out s3a://...} reaches the
 * same store as the jobs. Exit codes: {@link io.fosm.cli.ExitCode}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = "fosm generate --out DIR [options]",
        description = "Simulates a DAS interrogator on one fiber: landing files, ground-truth event log, optional"
                + " faults.")
public final class GenerateCommand implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", converter = Cli.NonEmpty.class,
            description = "output root (local path, file://, s3a://...)")
    private String out;

    @Mixin
    private FiberOptions fiber;

    @Option(names = "--start", paramLabel = "ISO", converter = Cli.IsoInstant.class,
            description = "first sample time (default: 2026-01-01T00:00:00Z)")
    private Instant start;

    @Option(names = "--fault-rate", paramLabel = "F", converter = Cli.Fraction.class,
            description = "fraction of records to corrupt, 0..1 (default: 0)")
    private Double faultRate;

    @Mixin
    private ConfigOptions config;

    /** The command, reading configuration environment variables from {@code env}. */
    public GenerateCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The {@code --help} text. */
    public static String usage() {
        return new CommandLine(new GenerateCommand(Map.of())).setCommandName("fosm generate").getUsageMessage();
    }

    /**
     * Parses the options into the generator's configuration.
     *
     * @throws UsageException naming the option and the expected value, e.g.
     *     "Cannot parse --channels: expected a positive integer, got 'abc'"
     */
    public static GeneratorConfig parse(String[] args) {
        GenerateCommand command = new GenerateCommand(Map.of());
        try {
            new CommandLine(command).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(Cli.message(e), e);
        }
        return command.generatorConfig();
    }

    /** Parses, generates and reports; returns the exit code ({@link io.fosm.cli.ExitCode}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Cli.commandLine(new GenerateCommand(System.getenv()), out, err).setCommandName("fosm generate")
                .execute(args);
    }

    GeneratorConfig generatorConfig() {
        return fiber.build(b -> b.output(out), b -> {
            if (start != null) {
                b.start(start);
            }
            if (faultRate != null) {
                b.faultRate(faultRate);
            }
        });
    }

    @Override
    public Integer call() {
        GeneratorConfig cfg = generatorConfig();
        // before writing anything: a bad configuration is the caller's error (exit 2), not a generation failure
        Configuration hadoop = Sessions.hadoopConfiguration(config.config(env));
        GenerateResult result;
        try {
            result = new FiberSimulator(cfg).run(hadoop);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot generate into " + cfg.output() + ": " + e.getMessage(), e);
        }
        PrintWriter printer = spec.commandLine().getOut();
        printer.println(result.summary());
        printer.flush();
        return 0;
    }
}
