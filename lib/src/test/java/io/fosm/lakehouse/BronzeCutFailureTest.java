package io.fosm.lakehouse;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;
import io.fosm.ingest.DasSamples;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A real file damaged where bronze's probe does not look (a middle trace of a SEG-Y file; the probe reads the first
 * and last channel) fails only while being cut: bronze quarantines it whole with its reason and the other files land.
 */
class BronzeCutFailureTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void aFileFailingWhileBeingCutIsQuarantinedWholeAndTheOthersLand() throws Exception {
        FosmConfig config = SparkTestSession.lakehouse("bronze-cut-failure");
        Path landing = Path.of(config.landingPath());
        Files.createDirectories(landing.resolve("p20"));
        Files.copy(DasSamples.file("prodml_2.0.h5"), landing.resolve("p20").resolve("prodml_2.0.h5"));
        Path segy = Files.createDirectories(landing.resolve("seg")).resolve("damaged.sgy");
        Files.copy(DasSamples.file("small_channel_patch.sgy"), segy);
        int channels;
        int timeSamples;
        try (DasRecording r = DasReaders.open(segy)) {
            channels = r.info().channels();
            timeSamples = r.info().timeSamples();
        }
        byte[] bytes = Files.readAllBytes(segy);
        // rev-1 layout without extended headers: 3600 header bytes, then equal traces (240-byte header + samples)
        assertEquals(0, (bytes.length - 3600) % channels, "equal traces after the 3600-byte header");
        int traceBytes = (bytes.length - 3600) / channels;
        int middle = channels / 2;
        assertTrue(middle > 0 && middle < channels - 1, "a trace the probe does not read");
        // the middle trace's header declares another sample count (bytes 115-116): its data no longer fits the axes
        bytes[3600 + middle * traceBytes + 114] = 0x7F;
        bytes[3600 + middle * traceBytes + 115] = 0x7F;
        assertNotEquals(timeSamples, 0x7F7F);
        Files.write(segy, bytes);
        try (DasRecording r = DasReaders.open(segy)) {
            r.readChannels(0, 1);
            r.readChannels(channels - 1, 1);   // what the probe reads still reads
        }

        Bronze.Result result = Bronze.run(spark, config);
        assertEquals(2, result.filesNew());
        assertEquals(1, result.filesQuarantined());
        assertEquals(1, result.interrogatorFiles(), "only the good file is ingested");

        List<Row> quarantine = spark.read().format("delta").load(Tables.BRONZE_QUARANTINE.path(config)).collectAsList();
        assertEquals(1, quarantine.size());
        Row bad = quarantine.get(0);
        assertTrue(bad.getString(bad.fieldIndex(Columns.SOURCE_FILE)).endsWith("/seg/damaged.sgy"));
        assertEquals("inconsistent_axes", bad.getString(bad.fieldIndex(Columns.REASON)));
        String detail = bad.getString(bad.fieldIndex(Columns.DETAIL));
        assertTrue(detail.contains("damaged.sgy") && detail.contains("trace " + middle), detail);
        assertArrayEquals(bytes, (byte[]) bad.get(bad.fieldIndex(Columns.CONTENT)), "the file is kept whole");

        org.apache.spark.sql.Dataset<Row> bronze = spark.read().format("delta").load(Tables.BRONZE.path(config));
        assertEquals(0, bronze.filter("fiber_id = 'seg'").count(), "nothing of the damaged file lands");
        // prodml_2.0: 2500 samples at 200 Hz in 1 s chunks: 13 chunks per channel, 512 channels
        assertEquals(13L * 512, bronze.filter("fiber_id = 'p20'").count());
        List<Row> files = spark.read().format("delta").load(Tables.BRONZE_FILES.path(config)).collectAsList();
        assertEquals(1, files.size(), "bronze_files describes the landed file only");
        assertTrue(files.get(0).getString(files.get(0).fieldIndex(Columns.SOURCE_FILE)).endsWith("prodml_2.0.h5"));

        assertEquals(0, Bronze.run(spark, config).filesNew(), "a second run adds nothing");
    }
}
