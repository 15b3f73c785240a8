package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Silver;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.record.MalformedRecordException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Where the stream's chunks come from, and how they become {@link ChunkInput}s: decoded with {@link ChunkCodec}
 * (single records from Kafka, landing files from a folder) and validated with silver's rules
 * ({@link Silver#rules}). Nothing here throws on data: bytes that do not decode and records that break a rule carry
 * a reason and their raw payload on to the dead letters.
 */
public final class StreamSources {
    private StreamSources() {}

    /** Raw rows: one Kafka message or one file. */
    public static final StructType RAW = new StructType()
            .add(PAYLOAD, DataTypes.BinaryType, true)
            .add(SOURCE, DataTypes.StringType, true)
            .add(KAFKA_TOPIC, DataTypes.StringType, true)
            .add(KAFKA_PARTITION, DataTypes.IntegerType, true)
            .add(KAFKA_OFFSET, DataTypes.LongType, true)
            .add("is_file", DataTypes.BooleanType, false)
            .add(ARRIVED_AT, DataTypes.TimestampType, true);

    static final StructType DECODED = new StructType()
            .add(FIBER_ID, DataTypes.StringType, true)
            .add(CHANNEL, DataTypes.IntegerType, true)
            .add(CHUNK_START, DataTypes.TimestampType, true)
            .add(SAMPLE_RATE, DataTypes.DoubleType, true)
            .add(SAMPLES, DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add(INTERROGATOR_ID, DataTypes.StringType, true)
            .add(SEQ, DataTypes.LongType, true)
            .add("decode_reason", DataTypes.StringType, true)
            .add("decode_detail", DataTypes.StringType, true)
            .add(PAYLOAD, DataTypes.BinaryType, true)
            .add(SOURCE, DataTypes.StringType, true)
            .add(KAFKA_TOPIC, DataTypes.StringType, true)
            .add(KAFKA_PARTITION, DataTypes.IntegerType, true)
            .add(KAFKA_OFFSET, DataTypes.LongType, true)
            .add(ARRIVED_AT, DataTypes.TimestampType, true);

    private static final StructType BINARY_FILE = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("modificationTime", DataTypes.TimestampType, false)
            .add("length", DataTypes.LongType, false)
            .add("content", DataTypes.BinaryType, true);

    /** The configured source ({@code stream.source}) as {@link #RAW} rows. */
    public static Dataset<Row> raw(SparkSession spark, FosmConfig config) {
        FosmConfig.Stream s = config.stream();
        if (s.source().equals(FosmConfig.Stream.KAFKA)) {
            DataStreamReader reader = spark.readStream().format("kafka")
                    .option("kafka.bootstrap.servers", s.kafkaBootstrap())
                    .option("subscribe", s.kafkaTopic())
                    .option("startingOffsets", s.kafkaStartingOffsets());
            // security and client settings (stream.kafka.option.*, docs/security.md) reach the consumer as kafka.*
            for (Map.Entry<String, String> o : config.kafkaOptions().entrySet()) {
                reader = reader.option("kafka." + o.getKey(), o.getValue());
            }
            if (s.maxPerTrigger() > 0) {
                reader = reader.option("maxOffsetsPerTrigger", s.maxPerTrigger());
            }
            return reader.load().select(col("value").as(PAYLOAD),
                    concat(col("topic"), lit("/"), col("partition"), lit("@"), col("offset")).as(SOURCE),
                    col("topic").as(KAFKA_TOPIC), col("partition").as(KAFKA_PARTITION), col("offset").as(KAFKA_OFFSET),
                    // the record's timestamp: the producer's send time (CreateTime, the default) or the broker's
                    // append time (a topic with message.timestamp.type=LogAppendTime)
                    lit(false).as("is_file"), col("timestamp").as(ARRIVED_AT));
        }
        try {
            Path dir = new Path(s.filesPath());
            // a file source needs its folder at start; an empty one is a stream that has not started yet
            dir.getFileSystem(spark.sparkContext().hadoopConfiguration()).mkdirs(dir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot create the stream's landing folder " + s.filesPath() + ": "
                    + e.getMessage(), e);
        }
        DataStreamReader reader = spark.readStream().format("binaryFile").schema(BINARY_FILE)
                .option("recursiveFileLookup", "true");
        if (s.maxPerTrigger() > 0) {
            reader = reader.option("maxFilesPerTrigger", s.maxPerTrigger());
        }
        return reader.load(s.filesPath()).select(col("content").as(PAYLOAD), col("path").as(SOURCE),
                lit(null).cast(DataTypes.StringType).as(KAFKA_TOPIC), lit(null).cast(DataTypes.IntegerType).as(KAFKA_PARTITION),
                lit(null).cast(DataTypes.LongType).as(KAFKA_OFFSET), lit(true).as("is_file"),
                col("modificationTime").as(ARRIVED_AT));
    }

    /**
     * Decodes raw rows and applies silver's validation rules; a pure transformation (batch or streaming). The key of
     * a valid chunk is its (fiber, channel); dead letters are spread over a few keys. The arrival delay of the valid
     * chunks of each configured fiber is observed on the way ({@link ArrivalDelay}).
     */
    public static Dataset<ChunkInput> chunks(Dataset<Row> raw, FosmConfig config) {
        Dataset<Row> decoded = raw.flatMap((FlatMapFunction<Row, Row>) StreamSources::decode, Encoders.row(DECODED));
        Silver.Rules rules = Silver.rules(config, current_timestamp());
        Column reason = coalesce(col("decode_reason"), rules.reason());
        Column detail = when(col("decode_reason").isNotNull(), col("decode_detail")).otherwise(rules.detail());
        Dataset<Row> validated = ArrivalDelay.observe(decoded.withColumn(REASON, reason).withColumn(DETAIL, detail),
                config.fibers().keySet());
        return validated.select(
                when(col(REASON).isNull(), concat(col(FIBER_ID), lit("#"), col(CHANNEL)))
                        .otherwise(concat(lit("!"), pmod(hash(col(SOURCE)), lit(4)))).as("key"),
                col(FIBER_ID).as("fiberId"), col(CHANNEL).as("channel"),
                unix_micros(col(CHUNK_START)).as("chunkStartMicros"), col(SAMPLE_RATE).as("sampleRate"),
                col(SAMPLES).as("samples"), col(INTERROGATOR_ID).as("interrogatorId"), col(SEQ).as("seq"),
                col(REASON).as("reason"), col(DETAIL).as("detail"),
                // the raw bytes travel on only with a dead letter
                when(col(REASON).isNotNull(), col(PAYLOAD)).as("payload"), col(SOURCE).as("source"),
                col(KAFKA_TOPIC).as("kafkaTopic"), col(KAFKA_PARTITION).as("kafkaPartition"),
                col(KAFKA_OFFSET).as("kafkaOffset"))
                .as(Encoders.bean(ChunkInput.class));
    }

    /** One raw row to its records, or to one failure row with the codec's reason and the raw bytes. */
    static Iterator<Row> decode(Row raw) {
        byte[] payload = raw.isNullAt(0) ? null : (byte[]) raw.get(0);
        String source = raw.isNullAt(1) ? null : raw.getString(1);
        Object topic = raw.get(2);
        Object partition = raw.get(3);
        Object offset = raw.get(4);
        boolean file = raw.getBoolean(5);
        Object arrived = raw.get(6);
        List<Row> out = new ArrayList<>();
        if (payload == null || payload.length == 0) {
            out.add(failure(arrived, "empty_message", "the " + (file ? "file" : "message") + " has no bytes", payload,
                    source, topic, partition, offset));
            return out.iterator();
        }
        if (file && (source == null || !source.endsWith(".fosf"))) {
            out.add(failure(arrived, "unknown_format", "not a chunk file (.fosf): " + source, payload, source, topic,
                    partition, offset));
            return out.iterator();
        }
        try {
            if (file) {
                List<ChunkRecord> records = ChunkCodec.decodeFile(payload);
                if (records.isEmpty()) {
                    out.add(failure(arrived, "empty_file", "the chunk file holds no records: " + source, payload,
                            source, topic, partition, offset));
                }
                int i = 0;
                for (ChunkRecord r : records) {
                    out.add(record(arrived, r, ChunkCodec.encode(r), source + "#" + i++, topic, partition, offset));
                }
            } else {
                out.add(record(arrived, ChunkCodec.decode(payload), payload, source, topic, partition, offset));
            }
        } catch (MalformedRecordException e) {
            out.clear();
            out.add(failure(arrived, e.reason().code(), e.getMessage(), payload, source, topic, partition, offset));
        }
        return out.iterator();
    }

    private static Row record(Object arrived, ChunkRecord r, byte[] payload, String source, Object topic,
                              Object partition, Object offset) {
        return RowFactory.create(r.fiberId(), r.channel(), Bronze.toTimestamp(r.chunkStartMicros()), r.sampleRate(),
                r.samples(), r.interrogatorId(), r.seq(), null, null, payload, source, topic, partition, offset,
                arrived);
    }

    private static Row failure(Object arrived, String reason, String detail, byte[] payload, String source,
                               Object topic, Object partition, Object offset) {
        return RowFactory.create(null, null, null, null, null, null, null, reason, detail, payload, source, topic,
                partition, offset, arrived);
    }
}
