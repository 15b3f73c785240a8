package io.fosm.testing;

import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Schemas;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Tiny in-memory chunk data for Spark tests. */
public final class TestChunks {
    /** 2026-01-01T00:00:00Z in epoch microseconds. */
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000L;

    private TestChunks() {}

    /** A sine of frequency f and amplitude a, sampled at fs, starting at global sample index start. */
    public static float[] sine(double f, double a, double fs, int n, long start) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (a * Math.sin(2 * Math.PI * f * (start + i) / fs));
        }
        return x;
    }

    /** Gaussian noise with a fixed seed. */
    public static float[] noise(double sigma, int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (sigma * r.nextGaussian());
        }
        return x;
    }

    /** A bronze row; {@code samples} are stored packed ({@link io.fosm.lakehouse.Samples#ENCODING}). */
    public static Row bronze(String fiber, int channel, long startMicros, double fs, float[] samples, long seq,
                                                      String file) {
        Timestamp start = Bronze.toTimestamp(startMicros);
        return RowFactory.create(fiber, channel, start, fs, io.fosm.lakehouse.Samples.encode(samples), "iu-test", seq,
                Timestamp.from(Instant.parse("2026-01-02T00:00:00Z")), file,
                Date.valueOf(start.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate()));
    }

    /** A bronze-schema dataset of the rows. */
    public static Dataset<Row> bronzeFrame(SparkSession spark, List<Row> rows) {
        return spark.createDataFrame(rows, Schemas.BRONZE);
    }
}
