package io.fosm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process KRaft broker: real produce/consume round trips of chunk records, topic handling. */
class KafkaBrokerTest {
    private static KafkaBroker kafka;

    @BeforeAll
    static void start() {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    @Test
    void chunkRecordsRoundTripThroughTheBrokerKeyedByChannel() throws Exception {
        kafka.createTopic("roundtrip", 2);
        List<ChunkRecord> sent = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            for (int ch = 0; ch < 6; ch++) {
                for (int k = 0; k < 3; k++) {
                    float[] samples = TestChunks.noise(1.0, 1000, 31L * ch + k);
                    ChunkRecord r = new ChunkRecord("f1", ch, TestChunks.T0 + k * 1_000_000L, 1000.0, samples,
                            "iu-1", 100L * ch + k);
                    sent.add(r);
                    producer.send(new ProducerRecord<>("roundtrip", "f1/" + ch, ChunkCodec.encode(r)))
                            .get(30, TimeUnit.SECONDS);
                }
            }
        }
        List<ConsumerRecord<String, byte[]>> got = kafka.readAll("roundtrip");
        assertEquals(sent.size(), got.size());

        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, List<ChunkRecord>> byKey = new HashMap<>();
        for (ConsumerRecord<String, byte[]> m : got) {
            ChunkRecord r = ChunkCodec.decode(m.value());
            assertEquals("f1/" + r.channel(), m.key());
            // one key, one partition: per-channel order is what stateful stitching downstream relies on
            Integer before = partitionOfKey.putIfAbsent(m.key(), m.partition());
            assertTrue(before == null || before == m.partition(), "key " + m.key() + " in two partitions");
            byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(r);
        }
        assertTrue(partitionOfKey.values().stream().distinct().count() == 2, "6 keys all in one partition");
        for (int ch = 0; ch < 6; ch++) {
            List<ChunkRecord> expected = sent.subList(3 * ch, 3 * ch + 3);
            assertEquals(expected, byKey.get("f1/" + ch), "channel " + ch + " in order, bit-identical");
        }
    }

    @Test
    void topicsAreCreatedExplicitlyNotByAProducerTypo() throws Exception {
        kafka.createTopic("explicit", 1);
        assertTrue(kafka.topics().contains("explicit"));
        java.util.Properties p = new java.util.Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500);
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("explcit", "k", new byte[] {1})).get());
            assertTrue(e.getCause() instanceof TimeoutException, e.toString());
        }
        assertFalse(kafka.topics().contains("explcit"));
    }

    @Test
    void createTopicRejectsADuplicateName() {
        kafka.createTopic("twice", 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kafka.createTopic("twice", 1));
        assertTrue(e.getMessage().contains("Cannot create topic twice"), e.getMessage());
    }
}
