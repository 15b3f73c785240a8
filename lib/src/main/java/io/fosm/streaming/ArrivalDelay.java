package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The stream's arrival delay per fiber: how long after a chunk's last sample the stream received it (the Kafka
 * record's timestamp, or a landing file's modification time, minus chunk start + samples / rate). The watermark
 * ({@code stream.watermark_seconds}) must cover how far one channel's chunk arrives behind another's of the same
 * time: this is what an operator sizes it from (docs/streaming.md, "Sizing the watermark").
 *
 * <p>Measured with Spark's observed metrics on the validated chunks: the min, mean and max of each configured fiber
 * come with the micro-batch's progress report ({@link #of}), at the cost of a few accumulators per task, no extra job.
 * Invalid records (dead letters) and rows without an arrival time are not counted.
 */
public final class ArrivalDelay {
    /** Name of the observed metric in {@link StreamingQueryProgress#observedMetrics()}. */
    public static final String METRIC = "fosm_arrival_delay";
    private static final String COUNT = "count";
    private static final String MIN = "min_s";
    private static final String SUM = "sum_s";
    private static final String MAX = "max_s";

    private ArrivalDelay() {}

    /** One fiber's arrival delays in a micro-batch, in seconds. */
    public record Stats(long chunks, double minSeconds, double meanSeconds, double maxSeconds) {}

    /** Seconds from the chunk's last sample to its arrival; null for a dead letter or a row without arrival time. */
    static Column delaySeconds() {
        Column end = unix_micros(col(CHUNK_START)).divide(1e6).plus(size(col(SAMPLES)).divide(col(SAMPLE_RATE)));
        return when(col(REASON).isNull().and(col(ARRIVED_AT).isNotNull()),
                unix_micros(col(ARRIVED_AT)).divide(1e6).minus(end));
    }

    /**
     * The aggregates of {@link #METRIC} over decoded, validated rows ({@code arrived_at, chunk_start, samples,
     * sample_rate, reason, fiber_id}): maps fiber -> count, min, sum and max of the delay. A fiber without chunks in
     * the rows has count 0 and null min, sum and max.
     */
    static Column[] aggregates(Collection<String> fibers) {
        Column delay = delaySeconds();
        List<Column> count = new ArrayList<>();
        List<Column> min = new ArrayList<>();
        List<Column> sum = new ArrayList<>();
        List<Column> max = new ArrayList<>();
        for (String f : fibers) {
            Column d = when(col(FIBER_ID).equalTo(lit(f)), delay);
            count.add(lit(f));
            count.add(count(d));
            min.add(lit(f));
            min.add(min(d));
            sum.add(lit(f));
            sum.add(sum(d));
            max.add(lit(f));
            max.add(max(d));
        }
        return new Column[] {map(count.toArray(new Column[0])).as(COUNT), map(min.toArray(new Column[0])).as(MIN),
                map(sum.toArray(new Column[0])).as(SUM), map(max.toArray(new Column[0])).as(MAX)};
    }

    /** {@code rows} with the arrival delay of {@code fibers} observed per micro-batch (or per action, in batch). */
    static Dataset<Row> observe(Dataset<Row> rows, Collection<String> fibers) {
        Column[] aggs = aggregates(fibers);
        return rows.observe(METRIC, aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length));
    }

    /** The arrival delays of a micro-batch, per fiber with at least one chunk in it; empty when not observed. */
    public static Map<String, Stats> of(StreamingQueryProgress progress) {
        Row r = progress.observedMetrics() == null ? null : progress.observedMetrics().get(METRIC);
        return r == null ? Map.of() : read(r);
    }

    /** Reads one row of {@link #aggregates}. */
    static Map<String, Stats> read(Row r) {
        Map<String, Long> count = r.getJavaMap(r.fieldIndex(COUNT));
        Map<String, Double> min = r.getJavaMap(r.fieldIndex(MIN));
        Map<String, Double> sum = r.getJavaMap(r.fieldIndex(SUM));
        Map<String, Double> max = r.getJavaMap(r.fieldIndex(MAX));
        Map<String, Stats> out = new TreeMap<>();
        count.forEach((fiber, n) -> {
            if (n != null && n > 0) {
                out.put(fiber, new Stats(n, min.get(fiber), sum.get(fiber) / n, max.get(fiber)));
            }
        });
        return out;
    }
}
