package io.fosm.cli;

import java.io.PrintStream;
import picocli.CommandLine;

/**
 * The one failure contract of every fosm command (docs/operations.md, "Exit codes"):
 * <ul>
 *   <li>{@link #OK} 0: done.</li>
 *   <li>{@link #REFUSED} 1: the command ran and refused, as asked: a quality gate refused to publish, drift with
 *       {@code --fail-on-drift}, a challenger not promoted with {@code --fail-if-not-promoted}. A retry gives the
 *       same answer.</li>
 *   <li>{@link #USAGE} 2: bad arguments or configuration ({@link UsageException}, which includes
 *       {@code ConfigException}, and picocli's parameter errors). A retry gives the same answer.</li>
 *   <li>{@link #FAILED} 3: anything else, whatever its type (a failed Spark task, Spark's checked
 *       SparkException/AnalysisException, an IllegalArgumentException thrown inside Spark or MLlib, a missing table,
 *       an unreachable service, an Error). A retry may succeed.</li>
 * </ul>
 * The first stderr line of a failing command is always {@code fosm <command>: <what went wrong>}; for a failure it
 * names the root cause of the exception chain, and the stack trace follows.
 */
public final class ExitCode {
    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int FAILED = 3;

    private ExitCode() {}

    /** The exit code of a command that threw {@code t}: 2 for fosm's usage and configuration errors, else 3. */
    public static int of(Throwable t) {
        return t instanceof UsageException || t instanceof CommandLine.ParameterException ? USAGE : FAILED;
    }

    /** The innermost cause of {@code t} (the exception a wrapped Spark task failure started with). */
    public static Throwable rootCause(Throwable t) {
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 100; depth++) {
            root = root.getCause();
        }
        return root;
    }

    /**
     * The one line that says why {@code t} failed: a usage error's own message; for any other failure the root cause
     * ({@code Type: message}), after fosm's own message when fosm wrapped it ("Cannot continue the stream: ...").
     * Multi-line messages (Spark's stage failures) are cut to their first line; the stack trace has the rest.
     */
    public static String firstLine(Throwable t) {
        if (t instanceof UsageException || t instanceof CommandLine.ParameterException) {
            return firstLineOf(t.getMessage());
        }
        Throwable root = rootCause(t);
        String cause = describe(root, wherePeer(t, root));
        if (root == t) {
            return fosmWorded(t) ? cause : "Cannot complete: " + cause;
        }
        return fosmWorded(t) ? firstLineOf(t.getMessage()) + " (root cause: " + cause + ")"
                : "Cannot complete: " + cause;
    }

    /**
     * Writes the failure report of {@code command} ("fosm gold") to {@code err}: the first line
     * {@code <command>: <firstLine>}, then, for a failure (not a usage error), the stack trace.
     *
     * @return the exit code for {@code t}
     */
    public static int report(String command, Throwable t, PrintStream err) {
        int code = of(t);
        err.println(command + ": " + firstLine(t));
        if (code == FAILED) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /**
     * A network failure's root ({@code java.net.ConnectException: Connection refused}) does not say where; the HTTP
     * client's wrapper nearest to it does ({@code Connect to 127.0.0.1:9000 [/127.0.0.1] failed: Connection refused}):
     * that message, or null.
     */
    private static String wherePeer(Throwable t, Throwable root) {
        if (!root.getClass().getName().startsWith("java.net.") || root.getMessage() == null) {
            return null;
        }
        String where = null;
        for (Throwable c = t; c != null && c != root; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && m.length() > root.getMessage().length() && m.contains(root.getMessage())
                    && m.matches("(?s).*:\\d+.*")) {
                where = m;
            }
        }
        return where;
    }

    private static String describe(Throwable t, String where) {
        if (where != null) {
            return t.getClass().getName() + ": " + firstLineOf(where);
        }
        return describe(t);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getName();
        }
        return fosmWorded(t) ? firstLineOf(message) : t.getClass().getName() + ": " + firstLineOf(message);
    }

    /** fosm's own errors say "Cannot X: reason" or "Invalid key ..."; their type adds nothing for the reader. */
    private static boolean fosmWorded(Throwable t) {
        String m = t.getMessage();
        boolean worded = m != null && (m.startsWith("Cannot ") || m.startsWith("Invalid "));
        return worded && (t.getClass().getName().startsWith("java.") || t.getClass().getName().startsWith("io.fosm."));
    }

    private static String firstLineOf(String message) {
        if (message == null) {
            return "";
        }
        String s = message.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).strip();
    }
}
