package io.fosm.lakehouse;

import static io.fosm.testing.TestChunks.sine;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;
import io.fosm.ingest.DasSamples;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Bronze on a landing folder mixing real interrogator files (read from the DAS samples folder, copied and cut into a
 * temporary folder, never into the repository), a FOSF file and bad files.
 */
class BronzeRealFilesTest {
    private final SparkSession spark = SparkTestSession.get();

    private static Path copy(String sample, Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        return Files.copy(DasSamples.file(sample), dir.resolve(name));
    }

    @Test
    void ingestsRealFilesJoinsOverlapsReportsThemAndQuarantinesBadFiles() throws Exception {
        FosmConfig config = SparkTestSession.lakehouse("bronze-real");
        Path landing = Path.of(config.landingPath());
        // the same iDAS recording as PRODML 2.1 and as TDMS, at the same time; the TDMS file numbers its channels from 0
        // (the PRODML file from its StartLocusIndex -118): not the same layout, so a new recording, reported
        Path h5 = copy("iDAS005_hdf5_example.626.h5", landing.resolve("idas"), "iDAS005_hdf5_example.626.h5");
        copy("iDAS005_tdms_example.626.tdms", landing.resolve("idas"), "iDAS005_tdms_example.626.tdms");
        Path prodml20 = copy("prodml_2.0.h5", landing.resolve("p20"), "prodml_2.0.h5");
        copy("terra15_v5_test_file.hdf5", landing.resolve("terra"), "terra15.hdf5");
        byte[] whole = Files.readAllBytes(DasSamples.file("iDAS005_tdms_example.626.tdms"));
        Files.write(landing.resolve("idas").resolve("cut.tdms"), Arrays.copyOf(whole, whole.length / 2));
        copy("prodml_fbe_1.h5", landing.resolve("fbe"), "fbe.h5");
        copy("small_channel_patch.sgy", landing, "no_folder.sgy");
        Files.writeString(landing.resolve("idas").resolve("notes.txt"), "not a recording\n");
        Files.write(Files.createDirectories(landing.resolve("demo")).resolve("a.fosf"), ChunkCodec.encodeFile(List.of(
                new ChunkRecord("demo", 3, 1_767_225_600_000_000L, 1000.0, sine(50, 1, 1000, 1000, 3), "iu-1", 1))));

        Bronze.Result result = Bronze.run(spark, config);
        assertEquals(9, result.filesNew());
        assertEquals(4, result.interrogatorFiles());
        assertEquals(3, result.filesQuarantined());
        assertEquals(1, result.anomalies().size(), result.anomalies().toString());
        assertTrue(result.anomalies().get(0).contains("iDAS005_tdms_example.626.tdms: layout_change of -1.000000 s after "),
                result.anomalies().get(0));

        Map<String, String> reasons = new HashMap<>();
        for (Row r : spark.read().format("delta").load(Tables.BRONZE_QUARANTINE.path(config)).collectAsList()) {
            String file = r.getString(r.fieldIndex(Columns.SOURCE_FILE));
            reasons.put(file.substring(file.lastIndexOf('/') + 1), r.getString(r.fieldIndex(Columns.REASON)));
            assertTrue(r.getString(r.fieldIndex(Columns.DETAIL)).contains(file.substring(file.lastIndexOf('/') + 1)),
                    "the detail names the file: " + r.getString(r.fieldIndex(Columns.DETAIL)));
            assertNotNull(r.get(r.fieldIndex(Columns.CONTENT)), "small bad files are kept whole");
        }
        assertEquals(Map.of("cut.tdms", "truncated", "no_folder.sgy",
                BronzeFiles.NO_FIBER_FOLDER, "notes.txt", "unknown_format"), reasons);

        Map<String, Row> files = new HashMap<>();
        for (Row r : spark.read().format("delta").load(Tables.BRONZE_FILES.path(config)).collectAsList()) {
            String file = r.getString(r.fieldIndex(Columns.SOURCE_FILE));
            files.put(file.substring(file.lastIndexOf('/') + 1), r);
        }
        assertEquals(java.util.Set.of("iDAS005_hdf5_example.626.h5", "iDAS005_tdms_example.626.tdms", "prodml_2.0.h5",
                "terra15.hdf5", "a.fosf", "fbe.h5"), files.keySet());
        // the band-energy file lands in its own table (BronzeBandEnergyTest checks its values)
        assertEquals("prodml_fbe", files.get("fbe.h5").getString(files.get("fbe.h5").fieldIndex(Columns.FORMAT)));
        Row idas = files.get("iDAS005_hdf5_example.626.h5");
        assertEquals("idas", idas.getString(idas.fieldIndex(Columns.FIBER_ID)));
        assertEquals("prodml", idas.getString(idas.fieldIndex(Columns.FORMAT)));
        assertEquals("2.1", idas.getString(idas.fieldIndex(Columns.FORMAT_VERSION)));
        assertEquals(1000.0, idas.getDouble(idas.fieldIndex(Columns.SAMPLE_RATE)));
        assertEquals(1.0209519863128662, idas.getDouble(idas.fieldIndex(Columns.CHANNEL_SPACING_M)), 1e-12);
        assertEquals(10.0, idas.getDouble(idas.fieldIndex(Columns.GAUGE_LENGTH_M)));
        assertEquals(-118, idas.getInt(idas.fieldIndex(Columns.FIRST_CHANNEL)));
        assertEquals(1033, idas.getInt(idas.fieldIndex(Columns.LAST_CHANNEL)));
        assertEquals("28f4f9b1f2b248fa0419b41c11e971f2d395c3ed43afc1ef5d5c35f399e99190",
                idas.getString(idas.fieldIndex(Columns.SHA256)), "the sha256 the samples README lists");
        assertEquals(Files.size(h5), idas.getLong(idas.fieldIndex(Columns.FILE_SIZE)));
        assertEquals(java.sql.Timestamp.from(java.time.Instant.parse("2019-05-31T08:38:50.626928Z")),
                idas.getTimestamp(idas.fieldIndex(Columns.START_TIME)));
        assertEquals(RecordingPlan.FIRST, idas.getString(idas.fieldIndex(Columns.BOUNDARY)));
        assertEquals(1152L, idas.getLong(idas.fieldIndex(Columns.RECORDS)), "one 1 s chunk per channel");
        Row tdms = files.get("iDAS005_tdms_example.626.tdms");
        assertEquals(RecordingPlan.LAYOUT_CHANGE, tdms.getString(tdms.fieldIndex(Columns.BOUNDARY)));
        assertEquals(-1.0, tdms.getDouble(tdms.fieldIndex(Columns.BOUNDARY_SECONDS)), 1e-6);
        assertEquals(0, tdms.getInt(tdms.fieldIndex(Columns.FIRST_CHANNEL)));
        assertEquals(1152L, tdms.getLong(tdms.fieldIndex(Columns.RECORDS)));
        assertEquals("records", files.get("a.fosf").getString(files.get("a.fosf").fieldIndex(Columns.BOUNDARY)));

        Dataset<Row> bronze = spark.read().format("delta").load(Tables.BRONZE.path(config));
        assertEquals(2 * 1152L, bronze.filter("fiber_id = 'idas'").count());
        // channel 0 of the PRODML file (locus -118) and of the TDMS file hold the same int16 values
        List<Row> first = bronze.filter("fiber_id = 'idas' AND ((channel = -118 AND source_file LIKE '%.h5')"
                + " OR (channel = 0 AND source_file LIKE '%.tdms'))").collectAsList();
        assertEquals(2, first.size());
        assertArrayEquals((byte[]) first.get(0).get(first.get(0).fieldIndex(Columns.SAMPLES)),
                (byte[]) first.get(1).get(first.get(1).fieldIndex(Columns.SAMPLES)));
        // prodml_2.0: 2500 samples at 200 Hz in 1 s chunks: 12 chunks of 200 and a last one of 100, 512 channels
        assertEquals(13L * 512, bronze.filter("fiber_id = 'p20'").count());
        assertEquals(100, bronze.filter("fiber_id = 'p20'").orderBy(org.apache.spark.sql.functions.col("chunk_start").desc())
                .head().<byte[]>getAs(Columns.SAMPLES).length / Samples.BYTES);
        // the samples are the file's stored int16 values, exactly
        try (DasRecording r = DasReaders.open(prodml20)) {
            int timeSamples = r.info().timeSamples();
            double[] channel7 = r.readChannels(7, 1);
            int channel = r.info().startChannel() + 7;
            Row third = bronze.filter("fiber_id = 'p20' AND channel = " + channel).orderBy("chunk_start").collectAsList().get(2);
            float[] samples = Samples.decode(third.<byte[]>getAs(Columns.SAMPLES));
            for (int t = 0; t < 200; t++) {
                assertEquals((float) channel7[400 + t], samples[t], "sample " + (400 + t));
            }
            assertEquals(2500, timeSamples);
        }

        Bronze.Result again = Bronze.run(spark, config);
        assertEquals(0, again.filesNew(), "a second run adds nothing");
    }
}
