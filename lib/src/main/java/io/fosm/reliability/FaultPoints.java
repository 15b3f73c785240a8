package io.fosm.reliability;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named commit points of the jobs, for the fault-injection suite (docs/reliability.md): with the environment variable
 * {@code FOSM_HALT_AT=<point>} (or {@code <point>:<n>} for its n-th passage, e.g. a stream's third batch) the JVM
 * halts there with exit code 137, as {@code kill -9} would: no shutdown hook, no finally block, nothing flushed.
 * Without the variable {@link #reached} is a no-op (one string comparison). The variable is read once, at class load.
 */
public final class FaultPoints {
    /** Exit code of a halt, the same as a JVM killed by SIGKILL. */
    public static final int HALT_EXIT_CODE = 137;
    public static final String ENV = "FOSM_HALT_AT";

    /** Every point a job passes, in pipeline order; {@code FOSM_HALT_AT} must name one of them. */
    public static final List<String> POINTS = List.of(
            "bronze.after_commit",
            "silver.after_stage_commit",
            "silver.after_publish",
            "gold.after_commit",
            "score.after_commit",
            "train.after_log_runs",
            "train.after_register",
            "promote.after_intent",
            "promote.after_history",
            "promote.after_alias",
            "rollback.after_intent",
            "rollback.after_history",
            "rollback.after_alias",
            "stream.after_batch_write");

    private static final String TARGET;
    private static final int OCCURRENCE;
    /** Why FOSM_HALT_AT is unusable, or null: reported by {@link #check} (a class initializer must not throw). */
    private static final String INVALID;
    private static final AtomicInteger PASSED = new AtomicInteger();

    static {
        String spec = System.getenv(ENV);
        String invalid = null;
        if (spec == null || spec.isBlank()) {
            TARGET = null;
            OCCURRENCE = 1;
        } else {
            int colon = spec.lastIndexOf(':');
            String name = colon < 0 ? spec.trim() : spec.substring(0, colon).trim();
            int n = 1;
            if (colon >= 0) {
                try {
                    n = Integer.parseInt(spec.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    n = -1;
                }
            }
            if (!POINTS.contains(name) || n < 1) {
                invalid = "Cannot use " + ENV + "=" + spec + ": expected one of " + POINTS
                        + ", optionally followed by :N (the N-th passage, N >= 1)";
                TARGET = null;
            } else {
                TARGET = name;
            }
            OCCURRENCE = n;
        }
        INVALID = invalid;
    }

    /** Fails with a configuration error when {@code FOSM_HALT_AT} is set but names no point; every job calls it first. */
    public static void check() {
        if (INVALID != null) {
            throw new io.fosm.config.ConfigException(INVALID);
        }
    }

    private FaultPoints() {}

    /** Halts the JVM (exit 137) when {@code FOSM_HALT_AT} names this point and this is the named passage. */
    public static void reached(String point) {
        if (TARGET == null || !TARGET.equals(point)) {
            return;
        }
        if (PASSED.incrementAndGet() == OCCURRENCE) {
            System.err.println(ENV + ": halting at " + point + (OCCURRENCE > 1 ? " (passage " + OCCURRENCE + ")" : ""));
            System.err.flush();
            Runtime.getRuntime().halt(HALT_EXIT_CODE);
        }
    }
}
