package io.fosm.models;

import static io.fosm.lakehouse.Columns.WINDOW_END;
import static io.fosm.lakehouse.Columns.WINDOW_START;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A split of gold windows by time: train on windows that end before {@code trainEnd}, evaluate on windows that start
 * at or after {@code evalStart = trainEnd + gap}. Because gold windows overlap (hop < window), a gap of at least one
 * window keeps any sample of the evaluation range out of training.
 */
public record TimeSplit(Instant dataStart, Instant trainEnd, Instant evalStart, Instant dataEnd) {

    /** Splits the time range of {@code gold} at {@code trainFraction}, with {@code gap} between the parts. */
    public static TimeSplit plan(Dataset<Row> gold, double trainFraction, Duration gap) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("train fraction must be between 0 and 1, cannot be: " + trainFraction);
        }
        Row range = gold.agg(min(col(WINDOW_START)), max(col(WINDOW_END))).head();
        if (range.isNullAt(0)) {
            throw new IllegalStateException("Cannot split gold_features by time: the table is empty");
        }
        Instant start = range.getTimestamp(0).toInstant();
        Instant end = range.getTimestamp(1).toInstant();
        long span = Duration.between(start, end).toMillis();
        Instant trainEnd = start.plusMillis((long) (span * trainFraction));
        Instant evalStart = trainEnd.plus(gap);
        if (!evalStart.isBefore(end)) {
            throw new IllegalStateException("Cannot split gold_features by time: " + start + " .. " + end
                    + " is too short for a train fraction of " + trainFraction + " and a gap of " + gap);
        }
        return new TimeSplit(start, trainEnd, evalStart, end);
    }

    /** Windows that end at or before the end of the training range. */
    public Dataset<Row> train(Dataset<Row> gold) {
        return gold.filter(col(WINDOW_END).leq(lit(Timestamp.from(trainEnd))));
    }

    /** Windows that start at or after the start of the evaluation range. */
    public Dataset<Row> evaluation(Dataset<Row> gold) {
        return gold.filter(col(WINDOW_START).geq(lit(Timestamp.from(evalStart))));
    }

    /** A one-line description for logs, tags and the model card. */
    public String describe() {
        return "train " + dataStart + " .. " + trainEnd + ", gap " + Duration.between(trainEnd, evalStart).toMillis()
                / 1000.0 + " s, evaluate " + evalStart + " .. " + dataEnd;
    }
}
