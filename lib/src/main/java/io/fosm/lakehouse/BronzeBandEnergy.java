package io.fosm.lakehouse;

import io.fosm.ingest.BandEnergyRecording;
import io.fosm.ingest.DasFileException;
import io.fosm.ingest.DasFileInfo;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.FrequencyBand;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Bronze's stage for PRODML frequency-band-energy files (vendor band powers, {@link BandEnergyRecording}): each file is
 * cut into rows of {@code bronze_band_energy}, one per channel x band x chunk of at most {@link #CHUNK_VALUES} time
 * samples, the values exactly as the file stores them (doubles). Pure Java per task (one task per file and channel
 * block, each reads its channels of every band once); a file that fails while being read ends its task with one
 * failure row, and bronze quarantines it whole. Band-energy files stand alone: they are not joined across files like raw
 * recordings ({@link #BOUNDARY} in bronze_files).
 */
public final class BronzeBandEnergy {
    /** Time samples per row at most: band energies come at low rates (e.g. 0.2 Hz), so a row spans a long time. */
    public static final int CHUNK_VALUES = 1024;

    /** The boundary of band-energy files in bronze_files: each file stands alone (not joined to the previous one). */
    public static final String BOUNDARY = "band_energy";

    /** Rows of the stage: the table's fields (null in a failure row) without the ingest metadata, plus the failure. */
    static final StructType CUT = Schemas.nullable(new StructType(Arrays.stream(Schemas.BRONZE_BAND_ENERGY.fields())
                    .filter(f -> !f.name().equals(Columns.INGEST_TIME) && !f.name().equals(Columns.EVENT_DATE))
                    .toArray(org.apache.spark.sql.types.StructField[]::new)))
            .add(Columns.REASON, DataTypes.StringType, true)
            .add(Columns.DETAIL, DataTypes.StringType, true);

    private BronzeBandEnergy() {}

    /** One task: channels {@code [from, from + count)} of one band-energy file. */
    public record Task(String path, String fiberId, int from, int count) implements Serializable {}

    /** The tasks of the band-energy files: channel blocks small enough that one band's block fits a task's memory. */
    public static List<Task> tasks(List<BronzeFiles.Probe> files) {
        List<Task> out = new ArrayList<>();
        for (BronzeFiles.Probe p : files) {
            DasFileInfo info = p.info();
            int block = (int) Math.max(1, Math.min(info.channels(),
                    BronzeFiles.BLOCK_VALUES / Math.max(1, info.timeSamples())));
            for (int from = 0; from < info.channels(); from += block) {
                out.add(new Task(p.path(), p.fiberId(), from, Math.min(block, info.channels() - from)));
            }
        }
        return out;
    }

    /** Cuts one task into rows of {@link #CUT}; never throws for a bad file (a failure row names it instead). */
    public static Iterator<Row> cut(Task task, LandingFile access) {
        try {
            return access.withLocal(task.path(), local -> {
                try (BandEnergyRecording recording = DasReaders.openBandEnergy(local)) {
                    return rows(task, recording).iterator();
                } catch (DasFileException e) {
                    return List.of(failure(task.path(), e.reason().code(),
                            e.getMessage().replace(local.toString(), task.path()))).iterator();
                } catch (RuntimeException e) {
                    // a reader must not throw anything else; if one does, the file is still quarantined, not a crash
                    return List.of(failure(task.path(), DasFileException.Reason.CORRUPT.code(),
                            "Cannot read " + task.path() + ": corrupt: " + e)).iterator();
                }
            });
        } catch (Exception e) {
            return List.of(failure(task.path(), DasFileException.Reason.UNREADABLE.code(),
                    "Cannot read " + task.path() + ": unreadable: " + e.getMessage())).iterator();
        }
    }

    private static List<Row> rows(Task task, BandEnergyRecording recording) throws DasFileException {
        DasFileInfo info = recording.info();
        int nt = info.timeSamples();
        double fs = info.sampleRateHz();
        List<FrequencyBand> bands = recording.bands();
        List<Row> out = new ArrayList<>();
        for (int b = 0; b < bands.size(); b++) {
            double[] values = recording.readBand(b, task.from(), task.count());
            if (values.length != (long) nt * task.count()) {
                throw new DasFileException(DasFileException.Reason.INCONSISTENT_AXES, task.path(), "band " + b
                        + " holds " + values.length + " values for " + task.count() + " channels x " + nt + " samples");
            }
            for (int c = 0; c < task.count(); c++) {
                for (int t = 0; t < nt; t += CHUNK_VALUES) {
                    int n = Math.min(CHUNK_VALUES, nt - t);
                    long startMicros = RecordingPlan.sampleMicros(info.startTimeMicros(), t, fs);
                    out.add(RowFactory.create(task.fiberId(), info.startChannel() + task.from() + c, b,
                            bands.get(b).lowHz(), bands.get(b).highHz(), Bronze.toTimestamp(startMicros), fs,
                            Arrays.copyOfRange(values, c * nt + t, c * nt + t + n), task.path(), null, null));
                }
            }
        }
        return out;
    }

    private static Row failure(String path, String reason, String detail) {
        return RowFactory.create(null, null, null, null, null, null, null, null, path, reason, detail);
    }

    /** The bronze_files row of a band-energy file. */
    public static Row fileRow(BronzeFiles.Probe p, long records, Timestamp ingestTime) {
        return BronzeFiles.fileRow(p, new RecordingPlan.Boundary(BOUNDARY, 0, 0, null), 0, records, ingestTime);
    }
}
