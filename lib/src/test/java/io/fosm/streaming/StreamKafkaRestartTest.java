package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker restarted under a running stream: the scorer (processing-time trigger) has consumed the first half
 * of a fiber's chunks when the in-process broker stops and starts again on the same port and log folder; the second
 * half is produced after the restart. The stream either survives (Spark's Kafka consumer reconnects) or fails and is
 * restarted from its checkpoint, as the runbook's restart policy does; either way every final window is scored once.
 */
class StreamKafkaRestartTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void aBrokerRestartUnderTheStreamLosesAndDuplicatesNoWindow() throws Exception {
        String model = StreamModelFixture.freshName("stream-kafka-restart");
        StreamModelFixture.alias(model, Promotion.CHAMPION, StreamModelFixture.register(model));
        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("chunks", 2);
            broker.createTopic("alerts", 1);
            broker.createTopic("dlq", 1);
            FosmConfig config = SparkTestSession.lakehouse("stream-kafka-restart", "fibers=demo",
                    "fiber.demo.channels=4", "stream.source=kafka", "stream.kafka.bootstrap_servers="
                    + broker.bootstrap(), "stream.kafka.topic=chunks", "stream.kafka.alerts_topic=alerts",
                    "stream.kafka.dlq_topic=dlq", "stream.max_per_trigger=24", "stream.watermark_seconds=4",
                    "stream.alert.threshold=0.3", "stream.alert.k=1", "stream.model_check_seconds=3600",
                    "mlflow.model_name=" + model, "mlflow.tracking_uri=" + StreamModelFixture.trackingUri());
            StreamFixtures.generate(config, 4, 16, 9, 20);
            List<ChunkRecord> records = new ArrayList<>();
            try (Stream<Path> s = Files.walk(Path.of(config.landingPath()))) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    records.addAll(ChunkCodec.decodeFile(Files.readAllBytes(f)));
                }
            }
            records.sort(Comparator.comparingLong(ChunkRecord::chunkStartMicros));
            int half = records.size() / 2;
            produce(broker, records.subList(0, half));

            StreamingQuery query = StreamingScorer.start(spark, config, Trigger.ProcessingTime(500), List.of());
            query.processAllAvailable();
            long before = query.lastProgress().batchId();
            broker.restart();
            produce(broker, records.subList(half, records.size()));
            boolean survived;
            try {
                query.processAllAvailable();
                survived = true;
                assertTrue(query.lastProgress().batchId() > before, "the stream went on after the restart");
            } catch (Exception failed) {
                // Scala throws StreamingQueryException, which Java's compiler does not see declared
                if (!(failed instanceof StreamingQueryException)) {
                    throw failed;
                }
                survived = false;
                System.out.println("StreamKafkaRestartTest: the stream failed on the broker restart (" + failed
                        .getMessage().lines().findFirst().orElse("") + "); restarting it from its checkpoint");
            }
            query.stop();
            // drains what is left from the checkpoint: after a failure, everything after the last committed batch
            StreamingQuery rest = StreamingScorer.start(spark, config, Trigger.AvailableNow(), List.of());
            rest.awaitTermination();
            assertTrue(rest.exception().isEmpty(), () -> "the restarted stream failed: " + rest.exception());
            System.out.println("StreamKafkaRestartTest: the stream " + (survived ? "survived" : "was restarted")
                    + " across the broker restart");

            Dataset<Row> scores = spark.read().format("delta").load(Tables.STREAM_SCORES.path(config));
            // 16 s: last window at 15 s, the newest with its (causal) context, final up to 11 s: 23 per channel
            assertEquals(4 * 23, scores.count(), "no final window lost, none twice");
            assertEquals(4 * 23, scores.select(FIBER_ID, CHANNEL, WINDOW_START).distinct().count());
            String dead = Tables.STREAM_DEAD_LETTER.path(config);
            assertTrue(!io.fosm.lakehouse.Delta.exists(spark, dead)
                    || spark.read().format("delta").load(dead).count() == 0, "no chunk dead-lettered by the restart");
        }
    }

    private static void produce(KafkaBroker broker, List<ChunkRecord> records) throws Exception {
        try (KafkaProducer<String, byte[]> producer = broker.producer()) {
            for (ChunkRecord r : records) {
                producer.send(new ProducerRecord<>("chunks", r.fiberId() + "/" + r.channel(), ChunkCodec.encode(r)))
                        .get();
            }
        }
    }
}
