package io.fosm.lakehouse;

import static io.fosm.testing.TestChunks.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class BronzeTest {
    private final SparkSession spark = SparkTestSession.get();

    private static byte[] file(int channels, long start) {
        List<ChunkRecord> records = new ArrayList<>();
        for (int ch = 0; ch < channels; ch++) {
            records.add(new ChunkRecord("demo", ch, start, 1000.0, sine(50, 1, 1000, 1000, ch), "iu-1", ch));
        }
        return ChunkCodec.encodeFile(records);
    }

    @Test
    void landsGoodFilesQuarantinesBadOnesAndIsIdempotent() throws Exception {
        FosmConfig config = SparkTestSession.lakehouse("bronze");
        Path landing = Files.createDirectories(Path.of(config.landingPath(), "demo"));
        Files.write(landing.resolve("a.fosf"), file(4, T0));
        Files.write(landing.resolve("b.fosf"), file(4, T0 + 1_000_000));
        byte[] corrupt = file(2, T0 + 2_000_000);
        corrupt[corrupt.length / 2] ^= 0x5A;                      // bit flip inside the samples
        Files.write(landing.resolve("c.fosf"), corrupt);
        Files.write(landing.resolve("truncated.fosf"), Arrays.copyOf(file(2, T0), 100));
        Files.writeString(landing.resolve("notes.csv"), "channel,value\n1,2\n");
        Files.write(landing.resolve("empty.fosf"), ChunkCodec.encodeFile(List.of()));
        Files.writeString(landing.resolve(".d.fosf.inprogress"), "half written");   // hidden: still being written

        Bronze.Result first = Bronze.run(spark, config);
        assertEquals(6, first.filesListed());
        assertEquals(8, first.records());
        assertEquals(8000, first.samples());
        assertEquals(4, first.filesQuarantined());

        Dataset<Row> bronze = spark.read().format("delta").load(Tables.BRONZE.path(config));
        assertEquals(8, bronze.count());
        Row one = bronze.filter("channel = 2 AND chunk_start = timestamp'2026-01-01 00:00:01'").head();
        float[] expected = sine(50, 1, 1000, 1000, 2);
        float[] samples = Samples.decode((byte[]) one.get(one.fieldIndex(Columns.SAMPLES)));
        assertEquals(expected.length, samples.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(samples[i]),
                    "sample " + i + " survives bit-exactly");
        }
        assertTrue(one.getString(one.fieldIndex(Columns.SOURCE_FILE)).endsWith("/demo/b.fosf"));
        assertEquals(java.sql.Date.valueOf("2026-01-01"), one.getDate(one.fieldIndex(Columns.EVENT_DATE)));

        Map<String, String> reasons = new HashMap<>();
        Dataset<Row> quarantine = spark.read().format("delta").load(Tables.BRONZE_QUARANTINE.path(config));
        for (Row r : quarantine.collectAsList()) {
            String file = r.getString(r.fieldIndex(Columns.SOURCE_FILE));
            reasons.put(file.substring(file.lastIndexOf('/') + 1), r.getString(r.fieldIndex(Columns.REASON)));
            assertNotNull(r.get(r.fieldIndex(Columns.CONTENT)), "the bad file is kept whole");
            assertFalse(r.getString(r.fieldIndex(Columns.DETAIL)).isBlank());
        }
        assertEquals(Map.of("c.fosf", "checksum_mismatch", "truncated.fosf", "truncated", "notes.csv", "unknown_format",
                "empty.fosf", "empty_file"), reasons);

        Bronze.Result second = Bronze.run(spark, config);
        assertEquals(0, second.filesNew(), "running twice adds nothing");
        assertEquals(8, spark.read().format("delta").load(Tables.BRONZE.path(config)).count());
        assertEquals(4, spark.read().format("delta").load(Tables.BRONZE_QUARANTINE.path(config)).count());

        Files.write(landing.resolve("e.fosf"), file(3, T0 + 5_000_000));
        Bronze.Result third = Bronze.run(spark, config);
        assertEquals(1, third.filesNew(), "only the new file is read");
        assertEquals(11, spark.read().format("delta").load(Tables.BRONZE.path(config)).count());
    }

    @Test
    void missingLandingFolderIsAClearError() {
        FosmConfig config = SparkTestSession.lakehouse("bronze-missing", "landing.path=/nonexistent/landing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bronze.run(spark, config));
        assertTrue(e.getMessage().startsWith("Cannot list landing files: landing.path file:/nonexistent/landing"),
                e.getMessage());
    }
}
