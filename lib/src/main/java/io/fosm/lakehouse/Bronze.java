package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import io.fosm.config.FosmConfig;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.record.MalformedRecordException;
import io.fosm.reliability.FaultPoints;
import io.fosm.spark.Sessions;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Bronze: lands landing files in the {@code bronze_chunks} Delta table, with ingest metadata, and describes each file
 * in {@code bronze_files}. The format is detected from the content: fosm's own chunk files (FOSF) are decoded by the
 * chunk codec; any other file goes through {@link io.fosm.ingest.DasReaders} (PRODML, TDMS, Terra15, Febus, AP Sensing,
 * OptoDAS, SEG-Y) and its recording (time x channels) is cut into fosm's records (channel x chunk of
 * {@code record.chunk_seconds}, samples packed as {@link Samples#ENCODING}). Consecutive files of a fiber join into continuous recordings
 * ({@link RecordingPlan}): chunks span file boundaries; overlaps are trimmed, gaps stay gaps, and both are reported
 * ({@code bronze_files.boundary}, the job's output). A vendor file's fiber is its folder: {@code landing/<fiber>/}.
 *
 * PRODML frequency-band-energy files (vendor band powers, not raw samples) land in their own table,
 * {@code bronze_band_energy} ({@link BronzeBandEnergy}), and are described in bronze_files like the others.
 *
 * <p>Idempotent: files already in bronze, bronze_quarantine, bronze_files or bronze_band_energy are skipped, so running
 * twice over the same landing folder adds nothing. A file that cannot be read (corrupt, truncated, unknown or
 * unsupported format) goes into {@code bronze_quarantine} with a named reason; the other files go on. That holds also
 * for a file that passes its probe and fails only while being cut (damage in a part the probe did not read): it is
 * quarantined whole, none of its records land, and its runs are cut again without it.
 *
 * <p>Cost: one listing of the landing folder on the driver, one read of the ingested file names, one probe task per
 * new file (format, metadata, sha256: one pass over its bytes), then one distributed read of the FOSF files and one
 * task per (recording, channel block) of the interrogator files (each reads its channels of every file of the
 * recording once), no shuffle. A file failing while being cut costs one more cut of the batch's interrogator files. Output is partitioned by {@code fiber_id, event_date}.
 */
public final class Bronze {
    /** The extension of interrogator chunk files; anything else in the landing folder is quarantined. */
    public static final String FILE_EXTENSION = ".fosf";

    /** Schema of decoded files: chunk fields (null for a bad file) plus file metadata and the failure reason. */
    static final StructType DECODED = Schemas.nullable(Schemas.CHUNK).add(SOURCE_FILE, DataTypes.StringType, false)
            .add(FILE_SIZE, DataTypes.LongType, false)
            .add(REASON, DataTypes.StringType, true)
            .add(DETAIL, DataTypes.StringType, true)
            .add(CONTENT, DataTypes.BinaryType, true);

    private Bronze() {}

    /**
     * What one bronze run did: files listed and new, records and samples landed, files quarantined, interrogator
     * (non-FOSF) files ingested, the continuous runs they form, and one line per boundary anomaly between consecutive
     * files of a fiber (overlap trimmed, file contained in covered time, gap, layout change).
     */
    public record Result(int filesListed, int filesNew, long records, long samples, long filesQuarantined,
                         int interrogatorFiles, int recordingRuns, List<String> anomalies) {
        public Result(int filesListed, int filesNew, long records, long samples, long filesQuarantined) {
            this(filesListed, filesNew, records, samples, filesQuarantined, 0, 0, List.of());
        }
    }

    /** Content of a quarantined interrogator file is kept up to this size; a larger one stays in the landing folder. */
    static final long MAX_QUARANTINE_CONTENT = 64L << 20;

    /** Lists landing files, ingests the new ones, and appends to bronze, bronze_quarantine and bronze_files. */
    public static Result run(SparkSession spark, FosmConfig config) {
        Timestamp ingestTime = Timestamp.from(Instant.now());
        Sessions.describe(spark, "fosm-bronze", "bronze: list landing files and ingested files");
        List<String> listed = listLandingFiles(spark, config.landingPath());
        // the versions the ingested-file lists were read at: each append claims the next one (see append)
        long bronzeVersion = Delta.version(spark, Tables.BRONZE.path(config));
        long quarantineVersion = Delta.version(spark, Tables.BRONZE_QUARANTINE.path(config));
        long filesVersion = Delta.version(spark, Tables.BRONZE_FILES.path(config));
        long bandEnergyVersion = Delta.version(spark, Tables.BRONZE_BAND_ENERGY.path(config));
        Set<String> done = ingestedFiles(spark, config, java.util.Map.of(Tables.BRONZE, bronzeVersion,
                Tables.BRONZE_QUARANTINE, quarantineVersion, Tables.BRONZE_FILES, filesVersion,
                Tables.BRONZE_BAND_ENERGY, bandEnergyVersion));
        List<String> pending = listed.stream().filter(f -> !done.contains(f)).toList();
        if (pending.isEmpty()) {
            return new Result(listed.size(), 0, 0, 0, 0);
        }
        Sessions.describe(spark, "fosm-bronze", "bronze: detect the format of " + pending.size() + " landing files");
        String landingRoot = qualified(spark, config.landingPath());
        LandingFile access = LandingFile.access(spark.sparkContext().hadoopConfiguration());
        List<String[]> withFiber = pending.stream().map(f -> new String[] {f, fiberFolder(landingRoot, f)}).toList();
        List<BronzeFiles.Probe> probes = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
                .parallelize(withFiber, Math.max(1, Math.min(withFiber.size(), 4 * spark.sparkContext().defaultParallelism())))
                .map(f -> BronzeFiles.probe(f[0], f[1], access)).collect();
        List<String> fosf = new ArrayList<>();
        List<BronzeFiles.Probe> interrogator = new ArrayList<>();
        List<BronzeFiles.Probe> bandEnergy = new ArrayList<>();
        List<BronzeFiles.Probe> failed = new ArrayList<>();
        for (BronzeFiles.Probe p : probes) {
            switch (p.kind()) {
                case BronzeFiles.FOSF -> fosf.add(p.path());
                case BronzeFiles.DAS -> interrogator.add(p);
                case BronzeFiles.BAND_ENERGY -> bandEnergy.add(p);
                default -> failed.add(p);
            }
        }

        // FOSF files are read and decoded once, by the bronze write itself: each file's summary (or why it failed)
        // comes back through an accumulator, so nothing of the batch is cached or decoded again (see FosfFile)
        CollectionAccumulator<FosfFile> fosfFiles = spark.sparkContext().collectionAccumulator("fosm-bronze-fosf-files");
        Dataset<Row> decoded = fosf.isEmpty() ? spark.createDataFrame(List.of(), DECODED)
                : decode(spark.read().format("binaryFile").load(fosf.toArray(new String[0])), fosfFiles);
        RecordingPlan plan;
        Dataset<Row> cut;
        while (true) {
            plan = RecordingPlan.plan(interrogator.stream()
                    .map(p -> new RecordingPlan.FileMeta(p.path(), p.fiberId(), p.info())).toList());
            java.util.Map<String, io.fosm.ingest.DasFileInfo> infos = new java.util.HashMap<>();
            interrogator.forEach(p -> infos.put(p.path(), p.info()));
            List<BronzeFiles.Task> tasks = BronzeFiles.tasks(plan, infos, config.chunkSeconds());
            cut = tasks.isEmpty() ? spark.createDataFrame(List.of(), BronzeFiles.CUT)
                    : spark.createDataFrame(new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
                            .parallelize(tasks, tasks.size()).flatMap(t -> BronzeFiles.cut(t, access)), BronzeFiles.CUT);
            cut = cut.persist(StorageLevel.MEMORY_AND_DISK());
            // a file that passed its probe but fails while being cut is quarantined whole, and its runs are cut again
            // without it (the next file then starts a new run after a gap): no file is ever half-landed
            List<BronzeFiles.Probe> cutFailed = cutFailures(cut, interrogator);
            if (cutFailed.isEmpty()) {
                break;
            }
            cut.unpersist();
            failed.addAll(cutFailed);
            java.util.Set<String> gone = new HashSet<>();
            cutFailed.forEach(p -> gone.add(p.path()));
            interrogator = interrogator.stream().filter(p -> !gone.contains(p.path()))
                    .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        }
        List<BronzeFiles.Probe> bandEnergyFailed = List.of();
        Dataset<Row> bandRows = null;
        if (!bandEnergy.isEmpty()) {
            Sessions.describe(spark, "fosm-bronze", "bronze: read " + bandEnergy.size() + " band-energy files");
            List<BronzeBandEnergy.Task> bandTasks = BronzeBandEnergy.tasks(bandEnergy);
            bandRows = spark.createDataFrame(new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
                    .parallelize(bandTasks, bandTasks.size()).flatMap(t -> BronzeBandEnergy.cut(t, access)),
                    BronzeBandEnergy.CUT).persist(StorageLevel.MEMORY_AND_DISK());
            bandEnergyFailed = cutFailures(bandRows, bandEnergy);
            failed.addAll(bandEnergyFailed);
        }
        try {
            Dataset<Row> records = records(decoded, ingestTime).unionByName(
                    cut.filter(col(FIBER_ID).isNotNull()).drop(INEXACT_SAMPLES)
                            .withColumn(INGEST_TIME, lit(ingestTime))
                            .withColumn(EVENT_DATE, to_date(col(CHUNK_START)))
                            .select(columns(Schemas.BRONZE)));
            Sessions.describe(spark, "fosm-bronze", "bronze: append records to " + Tables.BRONZE.tableName());
            // created with its samples encoding recorded; an old-encoding table is refused before anything is written
            Samples.prepare(spark, Tables.BRONZE.tableName(), Tables.BRONZE.path(config), Schemas.BRONZE, false,
                    FIBER_ID, EVENT_DATE);
            append(records.write().partitionBy(FIBER_ID, EVENT_DATE), Tables.BRONZE, config, bronzeVersion);
            // a crash here leaves the bad files un-quarantined: the rerun lists them again (they are in no table)
            FaultPoints.reached("bronze.after_commit");
            // the FOSF files the write decoded: a file that did not decode is quarantined like an interrogator file
            // that failed (its content read again, up to MAX_QUARANTINE_CONTENT); it landed no record
            List<FosfFile> fosfDecoded = FosfFile.distinct(fosfFiles.value());
            fosfDecoded.stream().filter(f -> f.reason() != null)
                    .forEach(f -> failed.add(f.asFailedProbe(probes)));
            Dataset<Row> quarantined = failedFiles(spark, failed, ingestTime);
            Sessions.describe(spark, "fosm-bronze", "bronze: append bad files to " + Tables.BRONZE_QUARANTINE.tableName());
            append(quarantined.write(), Tables.BRONZE_QUARANTINE, config, quarantineVersion);

            java.util.Map<String, Long> bandRecords = new java.util.HashMap<>();
            if (bandRows != null) {
                java.util.Set<String> bad = new HashSet<>();
                bandEnergyFailed.forEach(p -> bad.add(p.path()));
                Dataset<Row> landed = bandRows.filter(col(REASON).isNull()
                                .and(functions.not(col(SOURCE_FILE).isin(bad.toArray()))))
                        .withColumn(INGEST_TIME, lit(ingestTime))
                        .withColumn(EVENT_DATE, to_date(col(CHUNK_START)))
                        .select(columns(Schemas.BRONZE_BAND_ENERGY));
                Sessions.describe(spark, "fosm-bronze", "bronze: append band energies to "
                        + Tables.BRONZE_BAND_ENERGY.tableName());
                append(landed.write().partitionBy(FIBER_ID, EVENT_DATE), Tables.BRONZE_BAND_ENERGY, config,
                        bandEnergyVersion);
                for (Row r : landed.groupBy(SOURCE_FILE).count().collectAsList()) {
                    bandRecords.put(r.getString(0), r.getLong(1));
                }
            }

            Sessions.describe(spark, "fosm-bronze", "bronze: describe the files in " + Tables.BRONZE_FILES.tableName());
            List<Row> fileRows = new ArrayList<>();
            java.util.Map<String, long[]> perFile = new java.util.HashMap<>();   // records, inexact
            for (Row r : cut.groupBy(SOURCE_FILE).agg(org.apache.spark.sql.functions.count(col(FIBER_ID)),
                    org.apache.spark.sql.functions.coalesce(org.apache.spark.sql.functions.sum(col(INEXACT_SAMPLES)),
                            lit(0L))).collectAsList()) {
                perFile.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
            }
            List<String> anomalies = new ArrayList<>();
            for (BronzeFiles.Probe p : interrogator) {
                RecordingPlan.Boundary b = plan.boundaries().get(p.path());
                long[] counts = perFile.getOrDefault(p.path(), new long[2]);
                fileRows.add(BronzeFiles.fileRow(p, b, counts[1], counts[0], ingestTime));
                if (!b.kind().equals(RecordingPlan.FIRST) && !b.kind().equals(RecordingPlan.CONTINUOUS)) {
                    anomalies.add(String.format(java.util.Locale.ROOT, "%s: %s of %.6f s after %s (%d samples trimmed)",
                            p.path(), b.kind(), b.deltaMicros() / 1e6, b.previousFile(), b.trimmedSamples()));
                }
            }
            for (BronzeFiles.Probe p : bandEnergy) {
                if (bandRecords.containsKey(p.path())) {
                    fileRows.add(BronzeBandEnergy.fileRow(p, bandRecords.get(p.path()), ingestTime));
                }
            }
            fileRows.addAll(fosfFileRows(fosfDecoded, probes, ingestTime));
            if (!fileRows.isEmpty()) {
                append(spark.createDataFrame(fileRows, Schemas.BRONZE_FILES).write(), Tables.BRONZE_FILES, config,
                        filesVersion);
            }
            Sessions.describe(spark, "fosm-bronze", "bronze: count the batch");
            // FOSF records from the write's file summaries; interrogator records from the cut (persisted, no re-read)
            Row cutTotals = cut.filter(col(FIBER_ID).isNotNull()).agg(org.apache.spark.sql.functions.count(lit(1)),
                            org.apache.spark.sql.functions.coalesce(org.apache.spark.sql.functions.sum(
                                    Samples.count(col(SAMPLES))), lit(0L)))
                    .head();
            long records_ = cutTotals.getLong(0);
            long samples = cutTotals.getLong(1);
            for (FosfFile f : fosfDecoded) {
                records_ += f.records();
                samples += f.samples();
            }
            return new Result(listed.size(), pending.size(), records_, samples, failed.size(),
                    interrogator.size(), plan.runs().size(), List.copyOf(anomalies));
        } finally {
            cut.unpersist();
            if (bandRows != null) {
                bandRows.unpersist();
            }
        }
    }

    /**
     * The files of {@code probes} that failed while being read by a (persisted) stage: the stage's failure rows
     * ({@code reason} set) as failed probes carrying the first reason and detail per file.
     */
    private static List<BronzeFiles.Probe> cutFailures(Dataset<Row> stage, List<BronzeFiles.Probe> probes) {
        java.util.Map<String, String[]> why = new java.util.LinkedHashMap<>();
        for (Row r : stage.filter(col(REASON).isNotNull()).select(SOURCE_FILE, REASON, DETAIL).collectAsList()) {
            why.putIfAbsent(r.getString(0), new String[] {r.getString(1), r.getString(2)});
        }
        List<BronzeFiles.Probe> out = new ArrayList<>();
        for (BronzeFiles.Probe p : probes) {
            String[] w = why.remove(p.path());
            if (w != null) {
                out.add(new BronzeFiles.Probe(p.path(), p.fiberId(), p.size(), p.sha256(), BronzeFiles.FAILED,
                        p.declared(), w[0], w[1]));
            }
        }
        if (!why.isEmpty()) {
            // a failure naming no file of the batch cannot be quarantined: fail rather than land a file half
            String file = why.keySet().iterator().next();
            throw new IllegalStateException("Cannot ingest " + file + ": " + why.get(file)[1]
                    + " (the failure names no landing file of this run)");
        }
        return out;
    }

    /** The quarantine rows of interrogator files that could not be read (content kept up to 64 MiB). */
    private static Dataset<Row> failedFiles(SparkSession spark, List<BronzeFiles.Probe> failed, Timestamp ingestTime) {
        List<Row> large = new ArrayList<>();
        List<String> small = new ArrayList<>();
        java.util.Map<String, String[]> why = new java.util.HashMap<>();
        for (BronzeFiles.Probe p : failed) {
            why.put(p.path(), new String[] {p.reason(), p.detail()});
            if (p.size() >= 0 && p.size() <= MAX_QUARANTINE_CONTENT) {
                small.add(p.path());
            } else {
                large.add(RowFactory.create(p.path(), Math.max(0, p.size()), p.reason(), p.detail(), null, ingestTime));
            }
        }
        Dataset<Row> out = spark.createDataFrame(large, Schemas.BRONZE_QUARANTINE);
        if (!small.isEmpty()) {
            Dataset<Row> content = spark.read().format("binaryFile").load(small.toArray(new String[0]))
                    .select("path", "length", "content")
                    .map((org.apache.spark.api.java.function.MapFunction<Row, Row>) r -> {
                        String[] w = why.get(r.getString(0));
                        return RowFactory.create(r.getString(0), r.getLong(1), w == null ? "unreadable" : w[0],
                                w == null ? "Cannot read " + r.getString(0) : w[1], r.get(2), ingestTime);
                    }, Encoders.row(Schemas.BRONZE_QUARANTINE));
            out = out.unionByName(content);
        }
        return out;
    }

    /** bronze_files rows of the FOSF files that decoded, from the summaries their decoding left (one row per file). */
    private static List<Row> fosfFileRows(List<FosfFile> files, List<BronzeFiles.Probe> probes, Timestamp ingestTime) {
        java.util.Map<String, BronzeFiles.Probe> byPath = new java.util.HashMap<>();
        probes.forEach(p -> byPath.put(p.path(), p));
        List<Row> out = new ArrayList<>();
        for (FosfFile f : files) {
            if (f.reason() != null) {
                continue;
            }
            BronzeFiles.Probe p = byPath.get(f.path());
            out.add(RowFactory.create(f.path(), f.fiberId(), "fosf", String.valueOf(ChunkCodec.VERSION),
                    f.interrogatorId(), f.sampleRate(), null, null, null, "float32", "strain rate", 1.0,
                    toTimestamp(f.firstStartMicros()), toTimestamp(Math.round(f.lastEndMicros())), f.minChannel(),
                    f.maxChannel(), (long) f.maxSamples(), p == null ? 0L : p.size(), p == null ? "" : p.sha256(),
                    FOSF_BOUNDARY, 0.0, 0L, null, 0L, f.records(), ingestTime));
        }
        return out;
    }

    /** The boundary of FOSF files in bronze_files: each record carries its own key and time (silver deduplicates). */
    public static final String FOSF_BOUNDARY = "records";

    /** The fiber folder of a landing file: the first folder under the landing path, or null directly under it. */
    static String fiberFolder(String landingRoot, String file) {
        String root = landingRoot.endsWith("/") ? landingRoot : landingRoot + "/";
        if (!file.startsWith(root)) {
            return null;
        }
        String rest = file.substring(root.length());
        int slash = rest.indexOf('/');
        return slash <= 0 ? null : rest.substring(0, slash);
    }

    private static String qualified(SparkSession spark, String path) {
        Path p = new Path(path);
        try {
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot resolve landing.path " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes binaryFile rows ({@code path, length, content}) into chunk rows; a file that does not decode becomes a
     * single row with a {@code reason}, its detail and its raw content. Each file's {@link FosfFile} summary goes to
     * {@code files} as the rows are produced (once per file by the action that runs it: use it in one action only).
     */
    public static Dataset<Row> decode(Dataset<Row> binaryFiles, CollectionAccumulator<FosfFile> files) {
        return binaryFiles.select("path", "length", "content")
                .flatMap((FlatMapFunction<Row, Row>) f -> decodeFile(f, files), Encoders.row(DECODED));
    }

    private static java.util.Iterator<Row> decodeFile(Row file, CollectionAccumulator<FosfFile> files) {
        String path = file.getString(0);
        long length = file.getLong(1);
        byte[] content = (byte[]) file.get(2);
        List<ChunkRecord> records;
        try {
            records = ChunkCodec.decodeFile(content);
        } catch (MalformedRecordException e) {
            files.add(FosfFile.failed(path, e.reasonCode(), e.getMessage()));
            return Collections.singletonList(failure(path, length, e.reasonCode(), e.getMessage(), content)).iterator();
        }
        if (records.isEmpty()) {
            // recorded, so the file is not picked up again on every run
            String detail = "Cannot ingest " + path + ": the chunk file holds no records";
            files.add(FosfFile.failed(path, "empty_file", detail));
            return Collections.singletonList(failure(path, length, "empty_file", detail, content)).iterator();
        }
        files.add(FosfFile.of(path, records));
        List<Row> rows = new ArrayList<>(records.size());
        for (ChunkRecord r : records) {
            rows.add(RowFactory.create(r.fiberId(), r.channel(), toTimestamp(r.chunkStartMicros()), r.sampleRate(),
                    Samples.encode(r.samples()), r.interrogatorId(), r.seq(), path, length, null, null, null));
        }
        return rows.iterator();
    }

    private static Row failure(String path, long length, String reason, String detail, byte[] content) {
        return RowFactory.create(null, null, null, null, null, null, null, path, length, reason, detail, content);
    }

    /** Epoch microseconds to a timestamp with microsecond precision. */
    public static Timestamp toTimestamp(long epochMicros) {
        return Timestamp.from(Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
                Math.floorMod(epochMicros, 1_000_000L) * 1000L));
    }

    /** The decoded records of good files, with ingest metadata, in the bronze schema. */
    public static Dataset<Row> records(Dataset<Row> decoded, Timestamp ingestTime) {
        return decoded.filter(col(REASON).isNull())
                .withColumn(INGEST_TIME, lit(ingestTime))
                .withColumn(EVENT_DATE, to_date(col(CHUNK_START)))
                .select(columns(Schemas.BRONZE));
    }

    static org.apache.spark.sql.Column[] columns(StructType schema) {
        return java.util.Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new);
    }

    /** All non-hidden files under the landing folder (recursively), as fully qualified paths, sorted. */
    public static List<String> listLandingFiles(SparkSession spark, String landingPath) {
        Path root = new Path(landingPath);
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                // a configuration error (exit 2): the configured folder is not there
                throw new io.fosm.config.ConfigException("Cannot list landing files: landing.path " + fs.makeQualified(root)
                        + " does not exist");
            }
            List<String> out = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                FileStatus status = it.next();
                String name = status.getPath().getName();
                // writers land files under a temporary hidden name and rename them when complete
                if (status.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
                    out.add(fs.makeQualified(status.getPath()).toString());
                }
            }
            Collections.sort(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot list landing files under " + landingPath + ": " + e.getMessage(), e);
        }
    }

    /**
     * Source files already recorded in the given tables at the given versions (-1: no table yet; file names
     * only, never data).
     */
    static Set<String> ingestedFiles(SparkSession spark, FosmConfig config, java.util.Map<Tables, Long> versions) {
        Set<String> out = new HashSet<>();
        for (java.util.Map.Entry<Tables, Long> e : versions.entrySet()) {
            String path = e.getKey().path(config);
            long version = e.getValue();
            if (version >= 0) {
                Delta.at(spark, path, version).select(SOURCE_FILE).distinct().toLocalIterator()
                        .forEachRemaining(r -> out.add(r.getString(0)));
            }
        }
        return out;
    }

    /**
     * Appends a run's rows as Delta transaction {@code readVersion + 1} of the application {@code fosm-bronze-<table>}.
     * Two bronze runs that listed the same ingested files claim the same transaction version: Delta lets one commit
     * and either rejects the other (a concurrent-transaction conflict, reported by {@link Delta#commit}) or skips its
     * write as already done, so no landing file is ever appended twice. A file whose rows were skipped is in neither
     * table unless the winner ingested it, so the next run picks it up: nothing is lost.
     */
    private static void append(org.apache.spark.sql.DataFrameWriter<Row> writer, Tables table, FosmConfig config,
                               long readVersion) {
        Delta.commit(table.tableName(), () -> writer.format("delta").mode("append")
                .option("txnAppId", "fosm-bronze-" + table.tableName())
                .option("txnVersion", readVersion + 1)
                .save(table.path(config)));
    }
}
