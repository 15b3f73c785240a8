package io.fosm.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.DoublePredicate;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The command-line plumbing every fosm command shares (picocli): a {@link CommandLine} that writes to the given
 * streams and follows the {@link ExitCode} contract, and the typed value converters of the options. A bad value is
 * reported as "Cannot parse --channels: expected a positive integer, got 'abc'", followed by the command's usage.
 */
public final class Cli {
    private Cli() {}

    /**
     * A command line for {@code command} (a picocli {@code @Command} object, with its subcommands): parameter errors
     * exit {@link ExitCode#USAGE} with the message and usage on {@code err}, failures follow {@link ExitCode#report}.
     */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        return configure(new CommandLine(command), out, err);
    }

    /**
     * Configures {@code cl} and the subcommands it has now as {@link #commandLine} does (picocli applies settings to
     * the subcommands present when they are set: add them first).
     */
    public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // "--conf" is its own option, not an abbreviation of "--conf-file"; values like "-1" are values
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setUnmatchedOptionsArePositionalParams(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            String name = failed.getCommandSpec().qualifiedName();
            err.println(name + ": " + message(ex));
            failed.usage(err);
            err.flush();
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, failed, parseResult) ->
                ExitCode.report(failed.getCommandSpec().qualifiedName(), ex, err));
        return cl;
    }

    /** The house-style message of a picocli parameter error: which option, what was expected, what was given. */
    public static String message(ParameterException ex) {
        String option = ex.getArgSpec() instanceof OptionSpec o ? o.longestName() : null;
        for (Throwable c = ex.getCause(); c != null; c = c.getCause()) {
            if (c instanceof UsageException && option != null) {
                return "Cannot parse " + option + ": " + c.getMessage();
            }
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            CommandLine failed = ex.getCommandLine();
            if (!first.startsWith("-") && !failed.getSubcommands().isEmpty()) {
                return "Cannot parse arguments: unknown command '" + first + "' (commands: "
                        + String.join(", ", failed.getSubcommands().keySet()) + ")";
            }
            return first.startsWith("-") ? "Cannot parse arguments: unknown option " + first + " (see --help)"
                    : "Cannot parse arguments: unexpected '" + first + "', options look like --name value (see --help)";
        }
        if (ex instanceof CommandLine.OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec spec) {
            return "Cannot parse " + spec.longestName() + ": given more than once";
        }
        if (ex instanceof CommandLine.MissingParameterException m) {
            if (ex.getMessage().startsWith("Missing required option")) {
                return "Cannot parse arguments: " + m.getMissing().stream().map(Cli::describe)
                        .collect(Collectors.joining(", ")) + (m.getMissing().size() == 1 ? " is" : " are")
                        + " required";
            }
            if (!m.getMissing().isEmpty() && m.getMissing().get(0) instanceof OptionSpec o) {
                return "Cannot parse " + o.longestName() + ": missing value";
            }
        }
        return ex.getMessage();
    }

    private static String describe(ArgSpec spec) {
        return spec instanceof OptionSpec o ? o.longestName() + " " + o.paramLabel() : spec.paramLabel();
    }

    /** A bad option value; picocli names the option ({@link #message}). */
    static UsageException expected(String what, String value) {
        return new UsageException("expected " + what + ", got '" + value + "'");
    }

    private static double number(String value, String expected, DoublePredicate valid) {
        try {
            double d = Double.parseDouble(value.trim());
            if (Double.isFinite(d) && valid.test(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the expectation
        }
        throw expected(expected, value);
    }

    /** A value that is not blank. */
    public static final class NonEmpty implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw expected("a non-empty value", value);
            }
            return value;
        }
    }

    /** An integer > 0. */
    public static final class PositiveInt implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw expected("a positive integer", value);
        }
    }

    /** Any integer (a seed). */
    public static final class AnyLong implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw expected("an integer", value);
            }
        }
    }

    /** A finite number > 0. */
    public static final class PositiveNumber implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, "a positive number", d -> d > 0);
        }
    }

    /** A finite number >= 0. */
    public static final class NonNegativeNumber implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, "a number >= 0", d -> d >= 0);
        }
    }

    /** A number between 0 and 1. */
    public static final class Fraction implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, "a number between 0 and 1", d -> d >= 0 && d <= 1);
        }
    }

    /** An ISO-8601 UTC instant. */
    public static final class IsoInstant implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw expected("an ISO-8601 UTC time like 2026-01-01T00:00:00Z", value);
            }
        }
    }
}
