package io.fosm.lakehouse;

import static io.fosm.testing.TestChunks.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.testing.SparkTestSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The packed samples encoding (f32le-v1) and the reading of tables written before it (array<float>, v0). */
class SamplesTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void roundTripKeepsEveryBitLittleEndian() {
        float nanWithPayload = Float.intBitsToFloat(0x7fc00123);
        float[] x = {0f, -0f, 1.5f, -3.25e-38f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, nanWithPayload,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        byte[] packed = Samples.encode(x);
        assertEquals(4 * x.length, packed.length);
        // the layout is the documented one: what numpy reads with np.frombuffer(b, '<f4')
        ByteBuffer le = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), le.getInt(4 * i), "sample " + i);
        }
        float[] back = Samples.decode(packed);
        assertEquals(x.length, back.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(back[i]), "sample " + i + " bit-exact");
        }
        float[] reused = new float[16];
        assertEquals(x.length, Samples.decodeInto(packed, reused));
        assertEquals(1.5f, reused[2]);
        assertEquals(4, Samples.nonFinite(packed), "two NaNs and two infinities");
        assertArrayEquals(Samples.encode(new float[] {1.5f, -3.25e-38f}), Samples.encode(x, 2, 2));
    }

    @Test
    void aLengthThatIsNotAWholeNumberOfSamplesIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samples.decode(new byte[7]));
        assertEquals("Cannot decode samples: 7 bytes is not a multiple of 4 (f32le-v1 packs 4 bytes per sample)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samples.decodeInto(new byte[12], new float[2]));
    }

    @Test
    void silverQuarantinesATruncatedSampleBlobAsAWrongSampleCount() {
        FosmConfig config = FosmConfig.local();
        byte[] packed = Samples.encode(noise(1, 1000, 1));
        Row row = bronze("demo", 0, T0, 1000, new float[0], 1, "a");
        Object[] values = new Object[row.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        values[Schemas.BRONZE.fieldIndex(Columns.SAMPLES)] = java.util.Arrays.copyOf(packed, packed.length - 1);
        Row bad = Silver.classify(bronzeFrame(spark, List.of(RowFactory.create(values))), config,
                Timestamp.from(Instant.parse("2026-01-02T00:00:00Z"))).head();
        assertEquals("wrong_sample_count", bad.getString(bad.fieldIndex(Columns.REASON)));
        assertEquals("expected 1000 samples (sample_rate x record.chunk_seconds), got 3999 bytes, not a whole number "
                + "of 4-byte samples", bad.getString(bad.fieldIndex(Columns.DETAIL)));
    }

    /** The bronze schema as fosm wrote it before f32le-v1: samples array<float>. */
    private static StructType v0(StructType schema) {
        StructField[] fields = schema.fields().clone();
        int i = schema.fieldIndex(Columns.SAMPLES);
        fields[i] = DataTypes.createStructField(Columns.SAMPLES, Samples.V0_TYPE, false);
        return new StructType(fields);
    }

    private static Row asV0(Row packedRow) {
        Object[] values = new Object[packedRow.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = packedRow.get(i);
        }
        int s = Schemas.BRONZE.fieldIndex(Columns.SAMPLES);
        values[s] = Samples.decode((byte[]) values[s]);
        return RowFactory.create(values);
    }

    @Test
    void anOldEncodingLakehouseIsReadAndAFullSilverRunRewritesItPacked() {
        FosmConfig config = SparkTestSession.lakehouse("samples-v0");
        List<Row> rows = new ArrayList<>();
        float[] nan = noise(1, 1000, 9);
        nan[5] = Float.NaN;
        for (int ch = 0; ch < 3; ch++) {
            for (int s = 0; s < 3; s++) {
                rows.add(asV0(bronze("demo", ch, T0 + s * 1_000_000L, 1000,
                        ch == 2 && s == 1 ? nan : noise(1, 1000, ch * 10 + s), 1, "f")));
            }
        }
        String bronzePath = Tables.BRONZE.path(config);
        spark.createDataFrame(rows, v0(Schemas.BRONZE)).write().format("delta")
                .partitionBy(Columns.FIBER_ID, Columns.EVENT_DATE).save(bronzePath);

        // bronze cannot append packed rows to it: refused by name, before anything is written
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Samples.prepare(spark,
                Tables.BRONZE.tableName(), bronzePath, Schemas.BRONZE, false, Columns.FIBER_ID, Columns.EVENT_DATE));
        assertTrue(refused.getMessage().startsWith("Cannot write bronze_chunks at " + bronzePath
                + ": its samples are array<float> (encoding v0, written before f32le-v1) and this fosm writes f32le-v1;"
                + " rebuild it"), refused.getMessage());

        // silver reads it (converted on the way in), and its full run writes silver packed, property recorded
        Silver.Result result = Silver.run(spark, config, Optional.empty());
        assertTrue(result.published());
        assertEquals(8, result.valid());
        assertEquals(1L, result.quarantinedByReason().get("non_finite_sample"));
        String silverPath = Tables.SILVER.path(config);
        Dataset<Row> silver = spark.read().format("delta").load(silverPath);
        assertEquals(DataTypes.BinaryType, silver.schema().apply(Columns.SAMPLES).dataType());
        assertEquals(Samples.ENCODING, Samples.encodingOf(spark, silverPath));
        assertEquals(Samples.ENCODING, Samples.encodingOf(spark, Tables.SILVER_QUARANTINE.path(config)));
        // a table fosm created keeps the property through later full replaces: no extra commit to re-record it
        long before = Delta.version(spark, silverPath);
        assertTrue(Silver.run(spark, config, Optional.empty()).published());
        assertEquals(before + 1, Delta.version(spark, silverPath), "one commit per run");
        assertEquals(Samples.ENCODING, Samples.encodingOf(spark, silverPath));
        Row one = silver.filter("channel = 1 AND chunk_start = timestamp'2026-01-01 00:00:02'").head();
        assertArrayEquals(noise(1, 1000, 12), Samples.decode(one.<byte[]>getAs(Columns.SAMPLES)));

        // gold reads an old-encoding silver too, with the same features as from the packed one
        String v0Silver = config.lakehouseRoot() + "/silver-v0";
        spark.createDataFrame(silver.collectAsList().stream().map(SamplesTest::asV0).toList(), v0(Schemas.SILVER))
                .write().format("delta").save(v0Silver);
        Dataset<Row> fromV0 = Gold.windows(spark.read().format("delta").load(v0Silver), config);
        Dataset<Row> fromPacked = Gold.windows(silver, config);
        assertEquals(fromPacked.count(), fromV0.count());
        assertEquals(0, fromPacked.exceptAll(fromV0).count(), "same windows and features from either encoding");

        // a column of any other type is refused by name
        Dataset<Row> odd = silver.withColumn(Columns.SAMPLES, org.apache.spark.sql.functions.lit("x"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Samples.packed(odd, "silver_chunks", "/some/path"));
        assertEquals("Cannot read silver_chunks at /some/path: its samples are string, expected binary (f32le-v1) or "
                + "array<float> (v0)", e.getMessage());
    }
}
