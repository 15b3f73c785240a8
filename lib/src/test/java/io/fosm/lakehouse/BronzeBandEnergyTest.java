package io.fosm.lakehouse;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.ingest.BandEnergyRecording;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasSamples;
import io.fosm.ingest.FrequencyBand;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Bronze lands a real PRODML frequency-band-energy file in bronze_band_energy, values as the reader returns them. */
class BronzeBandEnergyTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void landsBandEnergiesInTheirOwnTable() throws Exception {
        FosmConfig config = SparkTestSession.lakehouse("bronze-band-energy");
        Path landing = Path.of(config.landingPath());
        Path fbe = Files.createDirectories(landing.resolve("fbe")).resolve("prodml_fbe_1.h5");
        Files.copy(DasSamples.file("prodml_fbe_1.h5"), fbe);

        Bronze.Result result = Bronze.run(spark, config);
        assertEquals(1, result.filesNew());
        assertEquals(0, result.filesQuarantined());
        long quarantined = Delta.version(spark, Tables.BRONZE_QUARANTINE.path(config)) < 0 ? 0
                : spark.read().format("delta").load(Tables.BRONZE_QUARANTINE.path(config)).count();
        assertEquals(0, quarantined, "nothing quarantined");

        Dataset<Row> table = spark.read().format("delta").load(Tables.BRONZE_BAND_ENERGY.path(config));
        try (BandEnergyRecording r = DasReaders.openBandEnergy(fbe)) {
            int channels = r.info().channels();
            int nt = r.info().timeSamples();
            List<FrequencyBand> bands = r.bands();
            assertEquals(5, bands.size(), "the samples README: 5 bands");
            long chunks = (nt + BronzeBandEnergy.CHUNK_VALUES - 1) / BronzeBandEnergy.CHUNK_VALUES;
            assertEquals(channels * bands.size() * chunks, table.count());
            assertEquals((long) channels * bands.size() * nt, table.selectExpr("sum(size(energy))").head().getLong(0));
            for (int[] bc : new int[][] {{0, 0}, {2, 7}, {4, channels - 1}}) {
                int band = bc[0];
                int c = bc[1];
                double[] expected = r.readBand(band, c, 1);
                List<Row> rows = table.filter("band = " + band + " AND channel = " + (r.info().startChannel() + c))
                        .orderBy("chunk_start").collectAsList();
                assertEquals(chunks, rows.size());
                Row row = rows.get(0);
                assertEquals("fbe", row.getString(row.fieldIndex(Columns.FIBER_ID)));
                assertEquals(bands.get(band).lowHz(), row.getDouble(row.fieldIndex(Columns.BAND_LOW_HZ)));
                assertEquals(bands.get(band).highHz(), row.getDouble(row.fieldIndex(Columns.BAND_HIGH_HZ)));
                assertEquals(r.info().sampleRateHz(), row.getDouble(row.fieldIndex(Columns.SAMPLE_RATE)));
                assertEquals(Bronze.toTimestamp(r.info().startTimeMicros()),
                        row.getTimestamp(row.fieldIndex(Columns.CHUNK_START)));
                List<Double> values = row.getList(row.fieldIndex(Columns.ENERGY));
                assertEquals(Math.min(nt, BronzeBandEnergy.CHUNK_VALUES), values.size());
                for (int t = 0; t < values.size(); t++) {
                    assertEquals(expected[t], values.get(t), "band " + band + " channel " + c + " sample " + t);
                }
            }

            List<Row> files = spark.read().format("delta").load(Tables.BRONZE_FILES.path(config)).collectAsList();
            assertEquals(1, files.size());
            Row file = files.get(0);
            assertEquals("prodml_fbe", file.getString(file.fieldIndex(Columns.FORMAT)));
            assertEquals("fbe", file.getString(file.fieldIndex(Columns.FIBER_ID)));
            assertEquals(BronzeBandEnergy.BOUNDARY, file.getString(file.fieldIndex(Columns.BOUNDARY)));
            assertEquals(channels * bands.size() * chunks, file.getLong(file.fieldIndex(Columns.RECORDS)));
            assertEquals((long) nt, file.getLong(file.fieldIndex(Columns.TIME_SAMPLES)));
            assertEquals("1e7fa0e63bd701ae5f65e5c1adfb02957594b4e334a6933a38cae2481ecdeabb",
                    file.getString(file.fieldIndex(Columns.SHA256)), "the sha256 the samples README lists");
        }
        long landed = table.count();
        assertEquals(0, Bronze.run(spark, config).filesNew(), "a second run adds nothing");
        assertEquals(landed, spark.read().format("delta").load(Tables.BRONZE_BAND_ENERGY.path(config)).count());
    }
}
