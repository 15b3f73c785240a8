package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.testing.KafkaBroker;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * The stream on a real (in-process KRaft) Kafka broker: single-record messages in, malformed messages to the dead
 * letters with their partition and offset and to the DLQ topic, incidents to the alerts topic.
 */
class StreamKafkaTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void kafkaInDeadLettersAndAlertsOut() throws Exception {
        String model = StreamModelFixture.freshName("stream-kafka");
        StreamModelFixture.alias(model, Promotion.CHAMPION, StreamModelFixture.register(model));
        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("chunks", 2);
            broker.createTopic("alerts", 1);
            broker.createTopic("dlq", 1);
            FosmConfig config = SparkTestSession.lakehouse("stream-kafka", "fibers=demo", "fiber.demo.channels=4",
                    "stream.source=kafka", "stream.kafka.bootstrap_servers=" + broker.bootstrap(),
                    "stream.kafka.topic=chunks", "stream.kafka.alerts_topic=alerts", "stream.kafka.dlq_topic=dlq",
                    "stream.max_per_trigger=24", "stream.watermark_seconds=4", "stream.alert.threshold=0.3",
                    "stream.alert.k=1", "stream.model_check_seconds=3600", "mlflow.model_name=" + model,
                    "mlflow.tracking_uri=" + StreamModelFixture.trackingUri());
            StreamFixtures.generate(config, 4, 16, 9, 20);
            List<ChunkRecord> records = new ArrayList<>();
            try (Stream<Path> s = Files.walk(Path.of(config.landingPath()))) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    records.addAll(ChunkCodec.decodeFile(Files.readAllBytes(f)));
                }
            }
            Set<String> badOffsets = new HashSet<>();
            try (KafkaProducer<String, byte[]> producer = broker.producer()) {
                for (ChunkRecord r : records) {
                    producer.send(new ProducerRecord<>("chunks", r.fiberId() + "/" + r.channel(), ChunkCodec.encode(r)));
                }
                byte[] truncated = ChunkCodec.encode(records.get(0));
                float[] nan = records.get(1).samples().clone();
                nan[3] = Float.NaN;
                for (byte[] bad : List.of("garbage".getBytes(), Arrays.copyOf(truncated, truncated.length / 2),
                        ChunkCodec.encode(records.get(1).withSamples(nan).withChunkStartMicros(
                                records.get(records.size() - 1).chunkStartMicros() + 1_000_000L)))) {
                    RecordMetadata m = producer.send(new ProducerRecord<>("chunks", "bad", bad)).get();
                    badOffsets.add(m.partition() + "@" + m.offset());
                }
            }

            StreamingQuery query = StreamingScorer.start(spark, config, Trigger.AvailableNow(), List.of());
            query.awaitTermination();
            assertTrue(query.exception().isEmpty(), () -> "the stream failed: " + query.exception());

            Dataset<Row> dead = spark.read().format("delta").load(Tables.STREAM_DEAD_LETTER.path(config));
            Set<String> deadOffsets = new HashSet<>();
            for (Row r : dead.collectAsList()) {
                assertEquals("chunks", r.getAs(KAFKA_TOPIC));
                deadOffsets.add(r.<Integer>getAs(KAFKA_PARTITION) + "@" + r.<Long>getAs(KAFKA_OFFSET));
            }
            assertEquals(badOffsets, deadOffsets, "exactly the malformed messages, by partition and offset");
            assertEquals(Set.of("bad_magic", "truncated", "non_finite_sample"), new HashSet<>(dead.select(REASON)
                    .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()));
            assertArrayEquals("garbage".getBytes(), (byte[]) dead.filter(col(REASON).equalTo("bad_magic")).first()
                    .getAs(PAYLOAD), "the raw message value is kept");
            List<ConsumerRecord<String, byte[]>> dlq = broker.readAll("dlq");
            assertEquals(3, dlq.size());

            Dataset<Row> scores = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config));
            // 16 s: last window at 15 s, the newest with its (causal) context, final up to 11 s: 23 per channel
            assertEquals(4 * 23, scores.count());
            Dataset<Row> incidents = spark.read().format("delta").load(Tables.INCIDENTS.path(config));
            long rows = incidents.count();
            assertTrue(rows > 0, "the low threshold raises incidents");
            List<ConsumerRecord<String, byte[]>> alerts = broker.readAll("alerts");
            assertEquals(rows, alerts.size(), "one alert message per incident row");
            Set<String> keys = new HashSet<>();
            for (Row r : incidents.select(concat(col(INCIDENT_ID), lit("/"), col(UPDATE_SEQ))).collectAsList()) {
                keys.add(r.getString(0));
            }
            // keyed by the incident id (a compacted topic keeps each incident's latest state), carrying update_seq
            Set<String> alertKeys = new HashSet<>();
            for (ConsumerRecord<String, byte[]> a : alerts) {
                String json = new String(a.value());
                java.util.regex.Matcher seq = java.util.regex.Pattern.compile("\"update_seq\":(\\d+)").matcher(json);
                assertTrue(seq.find() && json.contains("\"incident_id\":\"" + a.key() + "\""), json);
                assertTrue(json.contains("\"location_m\"") && json.contains("\"speed_mps\""), json);
                alertKeys.add(a.key() + "/" + seq.group(1));
            }
            assertEquals(keys, alertKeys);
        }
    }
}
