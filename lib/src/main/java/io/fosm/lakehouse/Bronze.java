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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Bronze: lands interrogator chunk files in the {@code bronze_chunks} Delta table, exactly as received, with ingest
 * metadata. Idempotent: files already in bronze (or already quarantined) are skipped, so running twice over the same
 * landing folder adds nothing. A file that cannot be decoded (corrupt, truncated, wrong format) goes whole into
 * {@code bronze_quarantine} with the reason; the other files go on.
 *
 * <p>Cost: one listing of the landing folder on the driver, one read of the ingested file names (a single column),
 * one distributed read of the new files (one task per file split; parallelism = number of new files), no shuffle.
 * Output is partitioned by {@code fiber_id, event_date}.
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

    /** What one bronze run did. */
    public record Result(int filesListed, int filesNew, long records, long samples, long filesQuarantined) {}

    /** Lists landing files, ingests the new ones, and appends to bronze and bronze_quarantine. */
    public static Result run(SparkSession spark, FosmConfig config) {
        Timestamp ingestTime = Timestamp.from(Instant.now());
        Sessions.describe(spark, "fosm-bronze", "bronze: list landing files and ingested files");
        List<String> listed = listLandingFiles(spark, config.landingPath());
        // the versions the ingested-file lists were read at: each append claims the next one (see append)
        long bronzeVersion = Delta.version(spark, Tables.BRONZE.path(config));
        long quarantineVersion = Delta.version(spark, Tables.BRONZE_QUARANTINE.path(config));
        Set<String> done = ingestedFiles(spark, config, bronzeVersion, quarantineVersion);
        List<String> pending = listed.stream().filter(f -> !done.contains(f)).toList();
        if (pending.isEmpty()) {
            return new Result(listed.size(), 0, 0, 0, 0);
        }
        Sessions.describe(spark, "fosm-bronze", "bronze: decode " + pending.size() + " landing files");
        Dataset<Row> files = spark.read().format("binaryFile").load(pending.toArray(new String[0]));
        Dataset<Row> decoded = decode(files).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Dataset<Row> records = records(decoded, ingestTime);
            Dataset<Row> quarantined = quarantined(decoded, ingestTime);
            Sessions.describe(spark, "fosm-bronze", "bronze: append records to " + Tables.BRONZE.tableName());
            append(records.write().partitionBy(FIBER_ID, EVENT_DATE), Tables.BRONZE, config, bronzeVersion);
            // a crash here leaves the bad files un-quarantined: the rerun lists them again (they are in no table)
            FaultPoints.reached("bronze.after_commit");
            Sessions.describe(spark, "fosm-bronze", "bronze: append bad files to " + Tables.BRONZE_QUARANTINE.tableName());
            append(quarantined.write(), Tables.BRONZE_QUARANTINE, config, quarantineVersion);
            Sessions.describe(spark, "fosm-bronze", "bronze: count the batch");
            long badFiles = quarantined.count();
            Row totals = decoded.filter(col(REASON).isNull())
                    .agg(org.apache.spark.sql.functions.count(lit(1)),
                            org.apache.spark.sql.functions.coalesce(org.apache.spark.sql.functions.sum(
                                    org.apache.spark.sql.functions.size(col(SAMPLES))), lit(0L)))
                    .head();
            return new Result(listed.size(), pending.size(), totals.getLong(0), totals.getLong(1), badFiles);
        } finally {
            decoded.unpersist();
        }
    }

    /**
     * Decodes binaryFile rows ({@code path, length, content}) into chunk rows; a file that does not decode becomes a
     * single row with a {@code reason}, its detail and its raw content.
     */
    public static Dataset<Row> decode(Dataset<Row> binaryFiles) {
        return binaryFiles.select("path", "length", "content")
                .flatMap((FlatMapFunction<Row, Row>) Bronze::decodeFile, Encoders.row(DECODED));
    }

    private static java.util.Iterator<Row> decodeFile(Row file) {
        String path = file.getString(0);
        long length = file.getLong(1);
        byte[] content = (byte[]) file.get(2);
        if (!path.endsWith(FILE_EXTENSION)) {
            return Collections.singletonList(failure(path, length, "unknown_format",
                    "Cannot ingest " + path + ": not a " + FILE_EXTENSION + " chunk file", content)).iterator();
        }
        List<ChunkRecord> records;
        try {
            records = ChunkCodec.decodeFile(content);
        } catch (MalformedRecordException e) {
            return Collections.singletonList(failure(path, length, e.reasonCode(), e.getMessage(), content)).iterator();
        }
        if (records.isEmpty()) {
            // recorded, so the file is not picked up again on every run
            return Collections.singletonList(failure(path, length, "empty_file",
                    "Cannot ingest " + path + ": the chunk file holds no records", content)).iterator();
        }
        List<Row> rows = new ArrayList<>(records.size());
        for (ChunkRecord r : records) {
            rows.add(RowFactory.create(r.fiberId(), r.channel(), toTimestamp(r.chunkStartMicros()), r.sampleRate(),
                    r.samples(), r.interrogatorId(), r.seq(), path, length, null, null, null));
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

    /** One row per bad file, in the bronze_quarantine schema. */
    public static Dataset<Row> quarantined(Dataset<Row> decoded, Timestamp ingestTime) {
        return decoded.filter(col(REASON).isNotNull())
                .withColumn(INGEST_TIME, lit(ingestTime))
                .select(columns(Schemas.BRONZE_QUARANTINE));
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
     * Source files already recorded in bronze or bronze_quarantine at the given versions (-1: no table yet; file names
     * only, never data).
     */
    static Set<String> ingestedFiles(SparkSession spark, FosmConfig config, long bronzeVersion, long quarantineVersion) {
        Set<String> out = new HashSet<>();
        for (Tables table : List.of(Tables.BRONZE, Tables.BRONZE_QUARANTINE)) {
            String path = table.path(config);
            long version = table == Tables.BRONZE ? bronzeVersion : quarantineVersion;
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
