package io.fosm.lakehouse;

import io.fosm.dsp.WindowStitcher;
import io.fosm.ingest.BandEnergyRecording;
import io.fosm.ingest.DasFileException;
import io.fosm.ingest.DasFileInfo;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;
import java.io.Serializable;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Bronze's side of interrogator files (PRODML, TDMS, Terra15, Febus, AP Sensing, OptoDAS, SEG-Y: whatever
 * {@link DasReaders} detects by content): the probe of each landing file on an executor (format by content, metadata,
 * sha256, a read of the first and last channel so a cut file fails here, before any chunk is written), and the cut of
 * each planned run ({@link RecordingPlan}) into chunk records by channel block ({@link RecordingChunker}).
 *
 * <p>Fiber of a vendor file: the first folder under the landing path ({@code landing/<fiber>/...}); vendor files
 * carry no fosm fiber id. Channel numbers are the file's own (its start channel, e.g. PRODML's StartLocusIndex, plus
 * the index in the file); the fiber's {@code first_channel} says where its channels begin.
 */
public final class BronzeFiles {
    private BronzeFiles() {}

    /** Probe outcomes. */
    public static final String FOSF = "fosf";
    public static final String DAS = "das";
    public static final String FAILED = "failed";
    /** A PRODML frequency-band-energy file: its own table, bronze_band_energy ({@link BronzeBandEnergy}). */
    public static final String BAND_ENERGY = "band_energy";

    /** The quarantine reason of an interrogator file under no fiber folder. */
    public static final String NO_FIBER_FOLDER = "no_fiber_folder";

    /** Values of a file block read by one task, at most (x 12 bytes: the doubles read and the floats kept). */
    static final long BLOCK_VALUES = 4_000_000;

    /** What the probe of one landing file found. */
    public record Probe(String path, String fiberId, long size, String sha256, String kind, Info declared,
                        String reason, String detail) implements Serializable {
        Probe(String path, String fiberId, long size, String sha256, String kind, DasFileInfo info, String reason,
              String detail) {
            this(path, fiberId, size, sha256, kind, info == null ? null : Info.of(info), reason, detail);
        }

        /** What the file declares (null for FOSF and failed files). */
        public DasFileInfo info() {
            return declared == null ? null : declared.toInfo();
        }
    }

    /** {@link DasFileInfo}'s fields, serializable: the probe's result travels from the executors to the driver. */
    public record Info(String format, String formatVersion, String vendor, double sampleRateHz,
                       double channelSpacingMetres, int startChannel, double startDistanceMetres, long startTimeMicros,
                       double gaugeLengthMetres, String dataType, double scale, String unit, int timeSamples,
                       int channels) implements Serializable {
        static Info of(DasFileInfo i) {
            return new Info(i.format(), i.formatVersion(), i.vendor(), i.sampleRateHz(), i.channelSpacingMetres(),
                    i.startChannel(), i.startDistanceMetres(), i.startTimeMicros(), i.gaugeLengthMetres(), i.dataType(),
                    i.scale(), i.unit(), i.timeSamples(), i.channels());
        }

        DasFileInfo toInfo() {
            return new DasFileInfo(format, formatVersion, vendor, sampleRateHz, channelSpacingMetres, startChannel,
                    startDistanceMetres, startTimeMicros, gaugeLengthMetres, dataType, scale, unit, timeSamples, channels);
        }
    }

    private static final byte[] FOSF_MAGIC = {'F', 'O', 'S', 'F'};
    private static final byte[] FOSM_MAGIC = {'F', 'O', 'S', 'M'};

    /**
     * Probes one file: fosm's own chunk files (magic FOSF or FOSM, or a name ending in .fosf, so a damaged one gets the
     * codec's reason) go to the chunk codec; anything else to {@link DasReaders#open}. Never throws: any failure is a
     * probe with a reason.
     */
    public static Probe probe(String path, String fiberId, LandingFile access) {
        try {
            return access.withLocal(path, local -> {
                long size = Files.size(local);
                String sha = LandingFile.sha256(local);
                byte[] head = LandingFile.head(local, 4);
                if (java.util.Arrays.equals(head, FOSF_MAGIC) || java.util.Arrays.equals(head, FOSM_MAGIC)
                        || path.endsWith(Bronze.FILE_EXTENSION)) {
                    return new Probe(path, fiberId, size, sha, FOSF, (Info) null, null, null);
                }
                if (DasReaders.isBandEnergy(local)) {
                    try (BandEnergyRecording recording = DasReaders.openBandEnergy(local)) {
                        DasFileInfo info = recording.info();
                        // read the first and last channel of the last band: a file cut short fails here
                        recording.readBand(recording.bands().size() - 1, 0, 1);
                        recording.readBand(recording.bands().size() - 1, info.channels() - 1, 1);
                        if (fiberId == null) {
                            return new Probe(path, null, size, sha, FAILED, info, NO_FIBER_FOLDER, "Cannot ingest "
                                    + path + ": a " + info.format() + " file names no fosm fiber; put it under "
                                    + "<landing.path>/<fiber>/");
                        }
                        return new Probe(path, fiberId, size, sha, BAND_ENERGY, info, null, null);
                    } catch (DasFileException e) {
                        return new Probe(path, fiberId, size, sha, FAILED, (Info) null, e.reason().code(),
                                e.getMessage().replace(local.toString(), path));
                    } catch (RuntimeException e) {
                        return new Probe(path, fiberId, size, sha, FAILED, (Info) null,
                                DasFileException.Reason.CORRUPT.code(), "Cannot read " + path + ": corrupt: " + e);
                    }
                }
                try (DasRecording recording = DasReaders.open(local)) {
                    DasFileInfo info = recording.info();
                    // read the first and last channel: a file cut short fails here, before any of its chunks is written
                    recording.readChannels(0, 1);
                    if (info.channels() > 1) {
                        recording.readChannels(info.channels() - 1, 1);
                    }
                    if (fiberId == null) {
                        return new Probe(path, null, size, sha, FAILED, info, NO_FIBER_FOLDER, "Cannot ingest " + path
                                + ": a " + info.format() + " file names no fosm fiber; put it under <landing.path>/<fiber>/");
                    }
                    return new Probe(path, fiberId, size, sha, DAS, info, null, null);
                } catch (DasFileException e) {
                    return new Probe(path, fiberId, size, sha, FAILED, (Info) null, e.reason().code(),
                            e.getMessage().replace(local.toString(), path));
                } catch (RuntimeException e) {
                    // a reader must not throw anything else; if one does, the file is still quarantined, not a crash
                    return new Probe(path, fiberId, size, sha, FAILED, (Info) null, DasFileException.Reason.CORRUPT.code(),
                            "Cannot read " + path + ": corrupt: " + e);
                }
            });
        } catch (Exception e) {
            return new Probe(path, fiberId, -1, "", FAILED, (Info) null, DasFileException.Reason.UNREADABLE.code(),
                    "Cannot read " + path + ": unreadable: " + e.getMessage());
        }
    }

    /** One task of the chunk stage: a block of channels of a run. */
    public record Task(RecordingPlan.Run run, int from, int count, int chunkSamples, String interrogatorId)
            implements Serializable {}

    /** The tasks of a plan: each run in channel blocks small enough that one file's block fits a task's memory. */
    public static List<Task> tasks(RecordingPlan plan, Map<String, DasFileInfo> infos, double chunkSeconds) {
        List<Task> out = new ArrayList<>();
        for (RecordingPlan.Run run : plan.runs()) {
            long longestFile = run.pieces().stream().mapToLong(p -> infos.get(p.path()).timeSamples()).max().orElse(1);
            int block = (int) Math.max(1, Math.min(run.channels(), BLOCK_VALUES / Math.max(1, longestFile)));
            int chunkSamples = (int) Math.max(1, Math.round(chunkSeconds * run.sampleRate()));
            DasFileInfo first = infos.get(run.pieces().get(0).path());
            String interrogator = first.vendor() + " " + first.format() + " " + first.formatVersion();
            for (int from = 0; from < run.channels(); from += block) {
                out.add(new Task(run, from, Math.min(block, run.channels() - from), chunkSamples, interrogator));
            }
        }
        return out;
    }

    /**
     * Rows of the chunk stage: chunk fields (null in a count or failure row), the source file, the inexact count, and
     * for a file that failed while being cut its reason and detail (a failure row).
     */
    static final StructType CUT = Schemas.nullable(Schemas.CHUNK)
            .add(Columns.SOURCE_FILE, DataTypes.StringType, false)
            .add(Columns.INEXACT_SAMPLES, DataTypes.LongType, true)
            .add(Columns.REASON, DataTypes.StringType, true)
            .add(Columns.DETAIL, DataTypes.StringType, true);

    /**
     * Cuts one task into rows of {@link #CUT}, lazily: a chunk row per channel and chunk, then one count row per file
     * with values a float could not hold exactly. A file that fails now (after its probe passed: damage the probe's
     * reads of the first and last channel did not touch) ends the task with one failure row naming the file, its
     * reason and detail; bronze then quarantines the file whole and cuts its run again without it (see Bronze.run).
     */
    public static Iterator<Row> cut(Task task, LandingFile access) {
        RecordingPlan.Run run = task.run();
        RecordingChunker chunker = new RecordingChunker(run, task.from(), task.count(), task.chunkSamples(),
                (path, from, count) -> read(access, path, from, count));
        double fs = run.sampleRate();
        return new Iterator<>() {
            private int channel = task.count();   // next channel of the current chunk to emit
            private Iterator<Map.Entry<String, Long>> counts;
            private boolean finished;
            private DasFileException failure;

            @Override
            public boolean hasNext() {
                if (channel < task.count()) {
                    return true;
                }
                if (!finished) {
                    try {
                        if (chunker.advance()) {
                            channel = 0;
                            return true;
                        }
                    } catch (DasFileException e) {
                        failure = e;
                    }
                    finished = true;
                    counts = chunker.inexact().entrySet().iterator();
                }
                return counts.hasNext() || failure != null;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (channel < task.count()) {
                    int c = channel++;
                    long startMicros = RecordingPlan.sampleMicros(run.startMicros(),
                            chunker.chunkIndex() * task.chunkSamples(), fs);
                    return RowFactory.create(run.fiberId(), run.startChannel() + task.from() + c,
                            Bronze.toTimestamp(startMicros), fs, Samples.encode(chunker.samples(c)), task.interrogatorId(),
                            WindowStitcher.sampleIndex(startMicros, fs), chunker.sourceFile(), null, null, null);
                }
                if (counts.hasNext()) {
                    Map.Entry<String, Long> e = counts.next();
                    return RowFactory.create(null, null, null, null, null, null, null, e.getKey(), e.getValue(), null,
                            null);
                }
                DasFileException e = failure;
                failure = null;
                return RowFactory.create(null, null, null, null, null, null, null, e.file(), null, e.reason().code(),
                        e.getMessage());
            }
        };
    }

    private static RecordingChunker.Block read(LandingFile access, String path, int from, int count)
            throws DasFileException {
        try {
            return access.withLocal(path, local -> {
                try (DasRecording recording = DasReaders.open(local)) {
                    return new RecordingChunker.Block(recording.readChannels(from, count), recording.info().timeSamples());
                } catch (DasFileException e) {
                    // name the landing file, not the local copy a remote file is read from
                    throw new DasFileException(e.reason(), path, e.getMessage().replace(local.toString(), path)
                            .replaceFirst("^Cannot read .*?: " + java.util.regex.Pattern.quote(e.reason().code()) + ": ",
                                    ""), e);
                } catch (RuntimeException e) {
                    // a reader must not throw anything else; if one does, the file is still quarantined, not a crash
                    throw new DasFileException(DasFileException.Reason.CORRUPT, path, String.valueOf(e), e);
                }
            });
        } catch (DasFileException e) {
            throw e;
        } catch (Exception e) {
            throw new DasFileException(DasFileException.Reason.UNREADABLE, path, String.valueOf(e.getMessage()), e);
        }
    }

    /** The bronze_files row of an interrogator file. */
    public static Row fileRow(Probe p, RecordingPlan.Boundary b, long inexact, long records, Timestamp ingestTime) {
        DasFileInfo in = p.info();
        long endMicros = RecordingPlan.sampleMicros(in.startTimeMicros(), in.timeSamples(), in.sampleRateHz());
        return RowFactory.create(p.path(), p.fiberId(), in.format(), in.formatVersion(), in.vendor(), in.sampleRateHz(),
                nanToNull(in.channelSpacingMetres()), nanToNull(in.gaugeLengthMetres()),
                nanToNull(in.startDistanceMetres()), in.dataType(), in.unit(), in.scale(),
                Bronze.toTimestamp(in.startTimeMicros()), Bronze.toTimestamp(endMicros), in.startChannel(),
                in.startChannel() + in.channels() - 1, (long) in.timeSamples(), p.size(), p.sha256(), b.kind(),
                b.deltaMicros() / 1e6, (long) b.trimmedSamples(), b.previousFile(), inexact, records, ingestTime);
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
