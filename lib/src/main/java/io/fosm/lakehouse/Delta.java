package io.fosm.lakehouse;

import io.delta.tables.DeltaTable;
import io.fosm.config.FosmConfig;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Small helpers over Delta's API. */
public final class Delta {
    private Delta() {}

    /**
     * Runs one Delta commit of {@code table}; when another writer committed to it at the same time (Delta's optimistic
     * concurrency control refused this commit, and nothing of it was written) the error says so in one line:
     * "Cannot commit silver_chunks: another run committed to it at the same time (ConcurrentDeleteReadException: ...);
     * this run wrote nothing there, rerun it".
     */
    public static void commit(String table, Runnable write) {
        try {
            write.run();
        } catch (io.delta.exceptions.DeltaConcurrentModificationException e) {
            throw new ConcurrentCommitException(table, e);
        }
    }

    /** A commit refused because another writer committed to the same table at the same time. */
    public static final class ConcurrentCommitException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ConcurrentCommitException(String table, RuntimeException cause) {
            super("Cannot commit " + table + ": another run committed to it at the same time ("
                    + cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage())
                    + "); this run wrote nothing there, rerun it", cause);
        }

        private static String firstLine(String message) {
            if (message == null) {
                return "";
            }
            int nl = message.indexOf('\n');
            return nl < 0 ? message : message.substring(0, nl);
        }
    }

    /** Whether a Delta table exists at the path. */
    public static boolean exists(SparkSession spark, String path) {
        return DeltaTable.isDeltaTable(spark, path);
    }

    /** The latest version of the table at the path, or -1 when there is none. */
    public static long version(SparkSession spark, String path) {
        if (!exists(spark, path)) {
            return -1;
        }
        return DeltaTable.forPath(spark, path).history(1).select("version").head().getLong(0);
    }

    /**
     * Replaces what a run is responsible for: the whole table when it processed everything, else exactly the
     * {@code event_date} it processed ({@code replaceWhere}). Unlike dynamic partition overwrite, a partition for which
     * the run produced no rows is emptied too, so a rerun never leaves stale rows behind.
     */
    public static void replace(Dataset<Row> data, String path, Optional<LocalDate> date, String... partitionColumns) {
        replace(data, path, date, Optional.empty(), partitionColumns);
    }

    /** {@link #replace}, recording {@code userMetadata} (e.g. {@link #inputsMetadata}) with the commit. */
    public static void replace(Dataset<Row> data, String path, Optional<LocalDate> date, Optional<String> userMetadata,
                               String... partitionColumns) {
        DataFrameWriter<Row> writer = data.write().format("delta").mode("overwrite").partitionBy(partitionColumns);
        if (userMetadata.isPresent()) {
            writer = writer.option("userMetadata", userMetadata.get());
        }
        if (date.isPresent()) {
            // new feature columns may arrive with a new release: add them, keep the other dates' rows
            writer = writer.option("replaceWhere", Columns.EVENT_DATE + " = DATE'" + date.get() + "'")
                    .option("mergeSchema", "true");
        } else {
            // a full rebuild defines the schema anew
            writer = writer.option("overwriteSchema", "true");
        }
        DataFrameWriter<Row> w = writer;
        commit(path, () -> w.save(path));
    }

    /**
     * Reads a job's input table, one {@code event_date} when {@code date} is present, pinned to one version (see
     * {@link #pinned}). A missing table is a clear error:
     * "Cannot run gold: no silver_chunks table at PATH (run `fosm silver` first)".
     */
    public static Dataset<Row> readInput(SparkSession spark, FosmConfig config, Tables table, Optional<LocalDate> date,
                                         String job, String producer) {
        return pinnedInput(spark, config, table, date, job, producer).rows();
    }

    /**
     * A table read at one version: every read of a job's input goes through one of these, so the rows it processed,
     * the version it records (MLflow tags, drift reports, the output table's commit metadata) and any second pass
     * over the same input all see the same snapshot, whatever another job commits meanwhile.
     */
    public record Pinned(String name, String path, long version, Dataset<Row> rows) {
        /** {@code name@vN}, as recorded in the outputs. */
        public String describe() {
            return name + "@v" + version;
        }

        /** The same snapshot, one {@code event_date} when {@code date} is present. */
        public Pinned onDate(Optional<LocalDate> date) {
            return new Pinned(name, path, version, Delta.onDate(rows, date));
        }
    }

    /** The table at {@code path} read at its current version, resolved once. */
    public static Pinned pinned(SparkSession spark, String name, String path) {
        long version = version(spark, path);
        if (version < 0) {
            throw new IllegalStateException("Cannot read " + name + ": no Delta table at " + path);
        }
        return new Pinned(name, path, version, at(spark, path, version));
    }

    /** The table at {@code path} as of {@code version} (time travel). */
    public static Dataset<Row> at(SparkSession spark, String path, long version) {
        return spark.read().format("delta").option("versionAsOf", version).load(path);
    }

    /** A job's input, pinned; a missing table is the clear error of {@link #readInput}. */
    public static Pinned pinnedInput(SparkSession spark, FosmConfig config, Tables table, Optional<LocalDate> date,
                                     String job, String producer) {
        String path = table.path(config);
        if (!exists(spark, path)) {
            throw new IllegalStateException("Cannot run " + job + ": no " + table.tableName() + " table at " + path
                    + " (run `fosm " + producer + "` first)");
        }
        return pinned(spark, table.tableName(), path).onDate(date);
    }

    /**
     * The commit metadata a job writes with its output ({@code userMetadata} of the Delta commit): the versions of
     * the inputs it read, e.g. {@code inputs: silver_chunks@v12}. {@code fosm summary} shows it per table.
     */
    public static String inputsMetadata(Pinned... inputs) {
        StringBuilder b = new StringBuilder("inputs:");
        for (Pinned p : inputs) {
            b.append(' ').append(p.describe());
        }
        return b.toString();
    }

    /** The {@code userMetadata} of the table's latest commit, empty when there is none. */
    public static Optional<String> lastCommitMetadata(SparkSession spark, String path) {
        if (!exists(spark, path)) {
            return Optional.empty();
        }
        Row r = DeltaTable.forPath(spark, path).history(1).select("userMetadata").head();
        return r.isNullAt(0) ? Optional.empty() : Optional.of(r.getString(0));
    }

    /** The rows of one {@code event_date} when {@code date} is present, else all rows. */
    public static Dataset<Row> onDate(Dataset<Row> rows, Optional<LocalDate> date) {
        return date.map(d -> rows.filter(org.apache.spark.sql.functions.col(Columns.EVENT_DATE)
                .equalTo(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(d))))).orElse(rows);
    }
}
