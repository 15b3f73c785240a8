package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;

import io.fosm.config.FiberSpec;
import io.fosm.config.FosmConfig;
import io.fosm.quality.QualityReport;
import io.fosm.reliability.FaultPoints;
import io.fosm.quality.SilverChecks;
import io.fosm.spark.Sessions;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Silver: validates bronze chunks, removes duplicates, audits the batch with Deequ and only then publishes it
 * (write-audit-publish).
 *
 * <p>Each row gets at most one {@code reason} (the first rule it breaks, in this order): {@code unknown_fiber},
 * {@code channel_out_of_range}, {@code sample_rate_mismatch}, {@code wrong_sample_count}, {@code non_finite_sample},
 * {@code bad_timestamp}, {@code duplicate_key}. Rows with a reason go to {@code silver_quarantine}; the rest, after
 * the optional per-fiber filters, to {@code silver_chunks}. The classified batch is first written to a staging table;
 * if an error-level Deequ check fails there, nothing is published and {@link Result#published()} is false.
 *
 * <p>Samples are read and written packed ({@link Samples#ENCODING}, one BINARY value per chunk); the
 * {@code non_finite_sample} test is one compiled loop over each chunk's bytes.
 *
 * <p>The staged batch is the classification without the samples: every row's columns, {@code reason},
 * {@code detail} and {@code sample_count}. Publishing evaluates the same classification again over the same pinned
 * bronze version with the same reference time (it is deterministic: the dedupe order is total), so the rows published
 * are the rows audited, and the samples are written once.
 *
 * <p>Cost: one aggregation of the key columns to find repeated keys and, only when there are, one shuffle of the
 * batch on the chunk key (deduplication); two reads of bronze (staging, publishing; a third for the quarantine only
 * when the batch has quarantined rows), one write of the samples (silver), a small staged table, and two Deequ passes
 * over it. A run over everything replaces the tables; a run for one {@code --date} replaces
 * that date ({@code replaceWhere}); either way a rerun gives the same tables, so the job is idempotent. Parallelism: {@code spark.sql.shuffle.partitions}.
 */
public final class Silver {
    private Silver() {}

    /** classify's per-row count of NaN/infinite samples, dropped before anything is written. */
    private static final String NON_FINITE_COUNT = "_non_finite_count";

    /** What one silver run did. */
    public record Result(boolean published, long rows, long valid, long validSamples, Map<String, Long> quarantinedByReason,
                                              QualityReport report) {}

    /** Validates, audits and publishes bronze (one event_date when {@code date} is present). */
    public static Result run(SparkSession spark, FosmConfig config, Optional<LocalDate> date) {
        // one bronze version for the rows, the batch tag and the recorded inputs
        Delta.Pinned input = Delta.pinnedInput(spark, config, Tables.BRONZE, date, "silver", "bronze");
        // bronze written before the packed encoding (array<float>) is converted on the way in
        Dataset<Row> bronze = Samples.packed(input.rows(), Tables.BRONZE.tableName(), input.path());
        String batchTag = date.map(d -> "event_date=" + d).orElse("all") + "@bronze-v" + input.version();
        Optional<String> inputs = Optional.of(Delta.inputsMetadata(input));

        Sessions.describe(spark, "fosm-silver", "silver: validate, dedupe and stage " + batchTag);
        // one classification, evaluated twice over the same pinned bronze version and the same reference time: once
        // here into the staged batch without its samples (what the audit reads: every row's key, reason and sample
        // count), once by the publishing writes (the rows themselves); it is deterministic, so the rows published are
        // the rows audited, and the samples are read twice but written once
        Dataset<Row> classified = classify(bronze, config, Timestamp.from(Instant.now()));
        String stagingPath = Tables.SILVER_STAGING.path(config);
        // a concurrent silver run may stage at the same moment: its refusal is Delta's, named in one line
        Delta.commit(Tables.SILVER_STAGING.tableName(), () -> classified.drop(SAMPLES).write().format("delta")
                .mode("overwrite").option("overwriteSchema", "true").save(stagingPath));
        FaultPoints.reached("silver.after_stage_commit");
        // small (no samples): cached for the audit's passes and the counts, which would each read the table again
        Dataset<Row> staged = spark.read().format("delta").load(stagingPath)
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            return auditAndPublish(spark, config, date, staged, classified, batchTag, inputs);
        } finally {
            staged.unpersist();
        }
    }

    private static Result auditAndPublish(SparkSession spark, FosmConfig config, Optional<LocalDate> date,
                                          Dataset<Row> staged, Dataset<Row> classified, String batchTag,
                                          Optional<String> inputs) {
        Sessions.describe(spark, "fosm-silver", "silver: Deequ audit of the staged batch");
        QualityReport report = SilverChecks.audit(spark, staged, config, batchTag, config.tablePath(Tables.DEEQU_METRICS));
        Map<String, Long> reasons = new LinkedHashMap<>();
        long valid = 0;
        long validSamples = 0;
        for (Row r : staged.groupBy(REASON).agg(count(lit(1)), sum(col(SAMPLE_COUNT))).orderBy(REASON)
                .collectAsList()) {
            if (r.isNullAt(0)) {
                valid = r.getLong(1);
                validSamples = r.isNullAt(2) ? 0 : r.getLong(2);
            } else {
                reasons.put(r.getString(0), r.getLong(1));
            }
        }
        long rows = valid + reasons.values().stream().mapToLong(Long::longValue).sum();
        if (!report.passed()) {
            return new Result(false, rows, valid, validSamples, reasons, report);
        }

        Sessions.describe(spark, "fosm-silver", "silver: publish " + batchTag);
        Dataset<Row> published = SilverFilters.apply(valid(classified), config.fibers());
        // both tables record their samples encoding; a one-date run into an old-encoding table is refused up front
        String silverPath = Tables.SILVER.path(config);
        String quarantinePath = Tables.SILVER_QUARANTINE.path(config);
        boolean markSilver = Samples.prepare(spark, Tables.SILVER.tableName(), silverPath, Schemas.SILVER,
                date.isEmpty(), FIBER_ID, EVENT_DATE);
        boolean markQuarantine = Samples.prepare(spark, Tables.SILVER_QUARANTINE.tableName(), quarantinePath,
                Schemas.SILVER_QUARANTINE, date.isEmpty(), EVENT_DATE);
        Delta.replace(published, silverPath, date, inputs, FIBER_ID, EVENT_DATE);
        if (markSilver) {
            Samples.mark(spark, Tables.SILVER.tableName(), silverPath);
        }
        FaultPoints.reached("silver.after_publish");
        // a batch without quarantined rows (the audit counted them) needs no second pass over bronze for them
        Dataset<Row> quarantined = reasons.isEmpty()
                ? spark.createDataFrame(List.of(), Schemas.SILVER_QUARANTINE)
                : quarantine(classified, Timestamp.from(Instant.now()));
        Delta.replace(quarantined, quarantinePath, date, inputs, EVENT_DATE);
        if (markQuarantine) {
            Samples.mark(spark, Tables.SILVER_QUARANTINE.tableName(), quarantinePath);
        }
        return new Result(true, rows, valid, validSamples, reasons, report);
    }

    /**
     * Adds {@code reason} and {@code detail} to bronze rows: null for a row that passes every rule, else the first
     * rule it breaks. Among rows sharing a key, one valid row is kept (highest seq, then latest ingest) and the
     * others become {@code duplicate_key}.
     */
    public static Dataset<Row> classify(Dataset<Row> bronze, FosmConfig config, Timestamp now) {
        // the non-finite count is one compiled loop over each row's bytes, computed once into its own column: both the
        // reason and the detail read it (inlined into both CASE chains it would run twice per row)
        Rules rules = rules(config, lit(now), packedStats(col(NON_FINITE_COUNT)));
        Dataset<Row> checked = bronze
                .withColumn(NON_FINITE_COUNT, Samples.nonFinite(col(SAMPLES)))
                .withColumn(REASON, rules.reason())
                .withColumn(DETAIL, rules.detail())
                .withColumn(SAMPLE_COUNT, coalesce(Samples.count(col(SAMPLES)), lit(-1)))
                .drop(NON_FINITE_COUNT);
        // the dedupe below shuffles and sorts every sample array by key; a batch without a repeated key (the usual
        // case) gives the same rows without it, and finding out reads only the key columns
        if (!hasRepeatedKey(bronze)) {
            return checked;
        }
        // the order is total (the samples' hash last) so that every evaluation of the batch keeps the same copy
        WindowSpec byKey = Window.partitionBy(col(FIBER_ID), col(CHANNEL), col(CHUNK_START))
                .orderBy(col(REASON).isNull().desc(), col(SEQ).desc(), col(INGEST_TIME).desc(), col(SOURCE_FILE).asc(),
                        xxhash64(col(SAMPLES)).asc());
        Column duplicate = col(REASON).isNull().and(row_number().over(byKey).gt(1));
        return checked
                .withColumn(DETAIL, when(duplicate, concat(lit("same key as the kept chunk with seq "),
                        first(col(SEQ)).over(byKey), lit(" from "), first(col(SOURCE_FILE)).over(byKey))).otherwise(col(DETAIL)))
                .withColumn(REASON, when(duplicate, lit("duplicate_key")).otherwise(col(REASON)));
    }

    /** Whether two rows of the batch share (fiber_id, channel, chunk_start); an aggregation of the key columns only. */
    static boolean hasRepeatedKey(Dataset<Row> bronze) {
        return !bronze.groupBy(col(FIBER_ID), col(CHANNEL), col(CHUNK_START)).count()
                .filter(col("count").gt(1)).limit(1).isEmpty();
    }

    /** The validation rules of one chunk row as two columns: the first rule broken (null if none) and its detail. */
    public record Rules(Column reason, Column detail) {}

    /**
     * The per-row validation rules of silver, without deduplication (which needs the whole batch): the one definition
     * that silver and the stream share. {@code now} is the reference time of {@code bad_timestamp}'s future
     * tolerance (silver: the run's start; the stream: the micro-batch time).
     */
    public static Rules rules(FosmConfig config, Column now) {
        // the stream's chunk rows carry samples as array<float> (decoded from the Kafka wire format)
        // the test of every row: array_max/array_min are compiled, the lambda is interpreted per sample (it only runs
        // for the detail of a failing row); NaN sorts above +Infinity, so a NaN makes the max NaN
        Column anyNonFinite = expr("isnan(array_max(" + SAMPLES + ")) OR array_max(" + SAMPLES
                + ") = double('Infinity') OR array_min(" + SAMPLES + ") = double('-Infinity')");
        Column nonFinite = expr("size(filter(" + SAMPLES + ", x -> isnan(x) OR abs(x) = double('Infinity')))");
        return rules(config, now, new SampleStats(lit(true), size(col(SAMPLES)),
                size(col(SAMPLES)).cast("string"), anyNonFinite, nonFinite));
    }

    /**
     * What the rules need to know of a row's samples, whatever their encoding: whether they are well-formed, their
     * count, the count as the detail shows it, whether any is NaN/infinite, and how many.
     */
    public record SampleStats(Column wellFormed, Column count, Column countText, Column anyNonFinite,
                              Column nonFinite) {}

    /**
     * The stats of packed samples ({@link Samples#ENCODING}): malformed when the byte length is not a multiple of 4
     * (then {@code wrong_sample_count}, with the length in bytes); {@code nonFiniteCount} is a column holding
     * {@link Samples#nonFinite(Column)}.
     */
    public static SampleStats packedStats(Column nonFiniteCount) {
        Column count = Samples.count(col(SAMPLES));
        return new SampleStats(count.isNotNull(), count,
                when(count.isNull(), concat(Samples.byteLength(col(SAMPLES)).cast("string"),
                        lit(" bytes, not a whole number of 4-byte samples"))).otherwise(count.cast("string")),
                nonFiniteCount.gt(0), nonFiniteCount);
    }

    /** {@link #rules(FosmConfig, Column)} over samples described by {@code samples}. */
    public static Rules rules(FosmConfig config, Column now, SampleStats samples) {
        Column channels = fiberLookup(config, f -> lit(f.channels()));
        Column first = fiberLookup(config, f -> lit(f.firstChannel()));
        Column outOfRange = col(CHANNEL).lt(first).or(col(CHANNEL).gt(first.plus(channels).minus(1)));
        Column expectedRate = fiberLookup(config, f -> lit(f.sampleRate()));
        Column expectedCount = round(col(SAMPLE_RATE).multiply(config.chunkSeconds())).cast("int");
        Column wrongCount = not(samples.wellFormed()).or(samples.count().notEqual(expectedCount));
        Timestamp earliest = Timestamp.from(config.silver().earliestTime());
        Column latest = now.plus(expr("INTERVAL " + config.silver().futureToleranceSeconds() + " SECONDS"));

        Column reason = when(channels.isNull(), lit("unknown_fiber"))
                .when(outOfRange, lit("channel_out_of_range"))
                .when(col(SAMPLE_RATE).notEqual(expectedRate), lit("sample_rate_mismatch"))
                .when(wrongCount, lit("wrong_sample_count"))
                .when(samples.anyNonFinite(), lit("non_finite_sample"))
                .when(col(CHUNK_START).lt(lit(earliest)).or(col(CHUNK_START).gt(latest)), lit("bad_timestamp"));
        Column detail = when(channels.isNull(), concat(lit("fiber '"), col(FIBER_ID),
                        lit("' is not in the fiber registry (config key fibers)")))
                .when(outOfRange, concat(lit("channel "), col(CHANNEL),
                        lit(" outside "), first, lit(".."), first.plus(channels).minus(1), lit(" of fiber "), col(FIBER_ID)))
                .when(col(SAMPLE_RATE).notEqual(expectedRate), concat(lit("sample_rate "), col(SAMPLE_RATE),
                        lit(" but fiber "), col(FIBER_ID), lit(" is registered at "), expectedRate))
                .when(wrongCount, concat(lit("expected "), expectedCount,
                        lit(" samples (sample_rate x record.chunk_seconds), got "), samples.countText()))
                .when(samples.anyNonFinite(), concat(samples.nonFinite(), lit(" NaN/infinite samples")))
                .when(col(CHUNK_START).lt(lit(earliest)).or(col(CHUNK_START).gt(latest)),
                        concat(lit("chunk_start "), col(CHUNK_START).cast("string"), lit(" outside "), lit(earliest.toInstant().toString()),
                                lit(" .. now + "), lit(config.silver().futureToleranceSeconds()), lit(" s")));
        return new Rules(reason, detail);
    }

    /** A per-fiber value from the registry as a column (null for an unknown fiber). */
    private static Column fiberLookup(FosmConfig config, java.util.function.Function<FiberSpec, Column> value) {
        List<Column> kv = new ArrayList<>();
        for (FiberSpec f : config.fibers().values()) {
            kv.add(lit(f.fiberId()));
            kv.add(value.apply(f));
        }
        return element_at(map(kv.toArray(new Column[0])), col(FIBER_ID));
    }

    /** The rows that passed, in the silver schema. */
    public static Dataset<Row> valid(Dataset<Row> classified) {
        return classified.filter(col(REASON).isNull()).select(Bronze.columns(Schemas.SILVER));
    }

    /** The rows that failed, in the silver_quarantine schema. */
    public static Dataset<Row> quarantine(Dataset<Row> classified, Timestamp now) {
        return classified.filter(col(REASON).isNotNull()).withColumn(QUARANTINED_AT, lit(now))
                .select(Bronze.columns(Schemas.SILVER_QUARANTINE));
    }
}
