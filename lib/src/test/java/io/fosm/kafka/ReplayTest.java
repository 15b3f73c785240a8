package io.fosm.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fosm.generate.DriftMode;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.record.MalformedRecordException;
import io.fosm.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code fosm replay} against a real in-process KRaft broker: every message is accounted for (intact, or corrupted
 * exactly as its faults-log line says), per-channel order holds except for the injected reorderings, pacing never
 * sends a chunk before its last sample is due, and the drift of the generator reaches the topic.
 */
class ReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaBroker kafka;

    @BeforeAll
    static void start() {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    private static GeneratorConfig.Builder fiber(Path out) {
        return GeneratorConfig.builder().output(out.toString()).fiberId("rp").channels(8).sampleRate(500)
                .durationSeconds(40).fileSeconds(5).seed(11).eventRatePerMinute(6);
    }

    private static Path fresh(String prefix) throws Exception {
        return Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))), prefix);
    }

    /** The clean records the generator renders for a config, by seq (the replay must deliver exactly these). */
    private static Map<Long, ChunkRecord> clean(GeneratorConfig cfg) {
        Map<Long, ChunkRecord> bySeq = new HashMap<>();
        new FiberSimulator(cfg).forEachFile((i, block) -> block.forEach(r -> bySeq.put(r.seq(), r)));
        return bySeq;
    }

    @Test
    void everyMessageIsIntactOrExactlyTheLoggedFault() throws Exception {
        Path out = fresh("replay-faults");
        GeneratorConfig cfg = fiber(out).build();
        ReplayOptions options = ReplayOptions.builder(cfg).bootstrap(kafka.bootstrap()).topic("faults").partitions(3)
                .speed(0).faultRate(0.15).lateSeconds(5).build();
        ReplayResult result = new Replay(options, false, new Configuration()).run(null);

        Map<Long, ChunkRecord> clean = clean(cfg);
        List<ConsumerRecord<String, byte[]>> messages = kafka.readAll("faults");
        try (var admin = kafka.admin()) {
            assertEquals(3, admin.describeTopics(List.of("faults")).allTopicNames().get().get("faults")
                    .partitions().size(), "topic created with the given partitions");
        }
        assertEquals(result.messages(), messages.size(), "every sent message is in the topic");
        assertEquals(clean.size(), result.records());
        assertEquals(clean.size() * 500L, result.samples());

        Map<String, ReplayFault> faultAt = new HashMap<>();
        result.faults().forEach(f -> assertNull(faultAt.put(f.partition() + "@" + f.offset(), f), "one fault per message"));
        // with 320 records at 15 % every fault type is drawn at least once (seeded: this is a fixed draw)
        assertEquals(Set.of(MessageFault.values()), result.faultsByType().keySet(), result.faultsByType().toString());
        int faultTotal = result.faultsByType().values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(result.faults().size(), faultTotal);
        assertTrue(faultTotal > 0.10 * clean.size() && faultTotal < 0.20 * clean.size(), "fault count " + faultTotal);

        Map<Long, Integer> intactDeliveries = new HashMap<>();
        Set<Long> faulted = new HashSet<>();
        Map<MessageFault, Integer> seenFaults = new EnumMap<>(MessageFault.class);
        for (ConsumerRecord<String, byte[]> m : messages) {
            ReplayFault f = faultAt.get(m.partition() + "@" + m.offset());
            ChunkRecord decoded;
            try {
                decoded = ChunkCodec.decode(m.value());
            } catch (MalformedRecordException e) {
                assertNotNull(f, "undecodable message at " + m.partition() + "@" + m.offset() + " is not in the log");
                assertFalse(f.fault().decodable());
                assertEquals(f.fault().decodeReason(), e.reasonCode(), f.toString());
                assertEquals(Replay.key("rp", f.channel()), m.key());
                faulted.add(f.seq());
                seenFaults.merge(f.fault(), 1, Integer::sum);
                continue;
            }
            ChunkRecord original = clean.get(decoded.seq());
            assertNotNull(original, "a decoded message with an unknown seq " + decoded.seq());
            assertEquals(Replay.key(decoded.fiberId(), decoded.channel()), m.key(), "key = <fiber>/<channel>");
            if (f == null || f.fault() == MessageFault.OUT_OF_ORDER || f.fault() == MessageFault.LATE
                    || f.fault() == MessageFault.DUPLICATE) {
                assertEquals(original, decoded, "an unlogged (or only displaced) message is bit-identical");
                intactDeliveries.merge(decoded.seq(), 1, Integer::sum);
                if (f != null) {
                    seenFaults.merge(f.fault(), 1, Integer::sum);
                }
                continue;
            }
            assertEquals(original.seq(), f.seq());
            faulted.add(f.seq());
            seenFaults.merge(f.fault(), 1, Integer::sum);
            switch (f.fault()) {
                case NAN_SAMPLES -> {
                    assertEquals(original.withSamples(decoded.samples()), decoded, "only samples changed");
                    int nans = 0;
                    for (int i = 0; i < decoded.samples().length; i++) {
                        if (Float.isNaN(decoded.samples()[i])) {
                            nans++;
                        } else {
                            assertEquals(original.samples()[i], decoded.samples()[i]);
                        }
                    }
                    assertTrue(nans >= 1 && nans <= 50, "NaN run of " + nans);
                }
                case WRONG_SAMPLE_COUNT -> assertTrue(decoded.sampleCount() < 500);
                case UNKNOWN_CHANNEL -> assertTrue(decoded.channel() < 0 || decoded.channel() >= 8);
                case UNKNOWN_FIBER -> assertNotEquals("rp", decoded.fiberId());
                case FUTURE_TIMESTAMP -> assertTrue(decoded.chunkStartMicros()
                        > original.chunkStartMicros() + 300L * 24 * 3600 * 1_000_000L);
                default -> throw new AssertionError("unexpected fault " + f);
            }
        }
        assertEquals(result.faultsByType(), seenFaults, "the log and the topic agree on every fault");
        // nothing is lost: each record arrives intact or as its logged corruption, never both, never neither
        for (long seq : clean.keySet()) {
            int intact = intactDeliveries.getOrDefault(seq, 0);
            assertTrue(intact + (faulted.contains(seq) ? 1 : 0) >= 1, "record " + seq + " lost");
            assertFalse(intact > 0 && faulted.contains(seq), "record " + seq + " both intact and corrupted");
        }
        long duplicates = intactDeliveries.values().stream().filter(n -> n == 2).count();
        assertEquals(result.faultsByType().get(MessageFault.DUPLICATE).longValue(), duplicates);
        assertTrue(intactDeliveries.values().stream().allMatch(n -> n <= 2));

        // per key, chunk starts only go back for the messages logged as out_of_order or late
        Map<String, Long> lastStart = new HashMap<>();
        for (ConsumerRecord<String, byte[]> m : messages) {
            ChunkRecord r;
            try {
                r = ChunkCodec.decode(m.value());
            } catch (MalformedRecordException e) {
                continue;
            }
            ReplayFault f = faultAt.get(m.partition() + "@" + m.offset());
            if (f != null && !f.fault().decodable() || f != null && f.fault().validationReason() != null
                    && f.fault() != MessageFault.DUPLICATE) {
                continue;
            }
            Long before = lastStart.get(m.key());
            boolean displaced = f != null && (f.fault() == MessageFault.OUT_OF_ORDER || f.fault() == MessageFault.LATE);
            if (before != null && r.chunkStartMicros() < before) {
                assertTrue(displaced, "chunk " + r + " went back in time without an injected reordering");
            }
            if (displaced) {
                assertTrue(before != null && r.chunkStartMicros() < before, "a displaced chunk arrived in order: " + f);
            } else {
                lastStart.merge(m.key(), r.chunkStartMicros(), Math::max);
            }
        }

        // the faults log is what the result says, one JSON line per fault
        List<String> lines = Files.readAllLines(Path.of(URI.create(result.faultLog())), StandardCharsets.UTF_8);
        assertEquals(result.faults().size(), lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        ReplayFault f0 = result.faults().get(0);
        assertEquals(f0.fault().label(), first.get("fault").asText());
        assertEquals(f0.offset(), first.get("offset").asLong());
        assertEquals(f0.fault().expectedReason() == null, first.get("expected_reason").isNull());
        assertTrue(Files.readString(Path.of(URI.create(result.eventLog()))).contains("\"fiber_id\":\"rp\""));
    }

    @Test
    void driftFromTheGeneratorReachesTheTopic() throws Exception {
        Path out = fresh("replay-drift");
        GeneratorConfig cfg = fiber(out).durationSeconds(10).eventRatePerMinute(0).driftMode(DriftMode.GAIN).build();
        new Replay(ReplayOptions.builder(cfg).bootstrap(kafka.bootstrap()).topic("drift").speed(0).build(), false,
                new Configuration()).run(null);
        double[] sumSq = new double[2];
        long[] n = new long[2];
        List<ConsumerRecord<String, byte[]>> messages = kafka.readAll("drift");
        assertEquals(80, messages.size());
        for (ConsumerRecord<String, byte[]> m : messages) {
            ChunkRecord r = ChunkCodec.decode(m.value());
            int half = r.chunkStartMicros() >= cfg.startMicros() + 5_000_000L ? 1 : 0;
            for (float v : r.samples()) {
                sumSq[half] += v * v;
                n[half]++;
            }
        }
        double ratio = Math.sqrt(sumSq[1] / n[1]) / Math.sqrt(sumSq[0] / n[0]);
        // the generator's gain drift is x2.5 from the onset (the middle); background noise otherwise stationary
        assertTrue(ratio > 2.2 && ratio < 2.8, "RMS after/before onset " + ratio);
    }

    @Test
    void pacingNeverSendsAChunkBeforeItsLastSampleIsDue() throws Exception {
        Path out = fresh("replay-paced");
        // live: the fiber starts at the first whole second after connecting, and the chunk [t, t+1 s) may only
        // leave at t + 1 s
        Instant now = Instant.now();
        ReplayCommand.Parsed parsed = ReplayCommand.parse(new String[] {"--out", out.toString(), "--bootstrap",
            kafka.bootstrap(), "--topic", "paced", "--channels", "4", "--fs", "200", "--duration", "3",
            "--fiber-id", "pc"}, now);
        assertTrue(parsed.live());
        assertEquals(1.0, parsed.options().speed());
        GeneratorConfig cfg = parsed.options().generator();
        ReplayResult result = new Replay(parsed.options(), true, new Configuration()).run(null);
        assertTrue(result.startMicros() > now.toEpochMilli() * 1000L && result.startMicros() % 1_000_000L == 0,
                "live start " + result.startMicros() + " is a whole second after " + now);
        assertEquals(12, result.messages());
        for (ConsumerRecord<String, byte[]> m : kafka.readAll("paced")) {
            ChunkRecord r = ChunkCodec.decode(m.value());
            assertTrue(r.chunkStartMicros() >= result.startMicros());
            long chunkEndMillis = (r.chunkStartMicros() + 1_000_000L) / 1000;
            assertTrue(m.timestamp() >= chunkEndMillis, "chunk " + r.chunkStartMicros() + " sent at "
                    + m.timestamp() + ", before its end " + chunkEndMillis);
        }

        // at 2x the chunk j may leave at start + (j + 1) x 0.5 s, not before
        ReplayResult fast = new Replay(ReplayOptions.builder(cfg.toBuilder().fiberId("pd").build())
                .bootstrap(kafka.bootstrap()).topic("paced2").speed(2).build(), true, new Configuration()).run(null);
        for (ConsumerRecord<String, byte[]> m : kafka.readAll("paced2")) {
            ChunkRecord r = ChunkCodec.decode(m.value());
            long j = (r.chunkStartMicros() - fast.startMicros()) / 1_000_000L;
            long dueMillis = fast.startMicros() / 1000 + (j + 1) * 500;
            assertTrue(m.timestamp() >= dueMillis, "chunk " + j + " sent at " + m.timestamp() + ", due " + dueMillis);
        }
        assertEquals(12, fast.messages());
    }

    @Test
    void commandLineErrorsNameTheOptionAndTheValue() {
        Instant now = Instant.parse("2026-03-01T10:00:00.700Z");
        assertEquals("Cannot parse --speed: expected a number >= 0 (0 = as fast as possible), got 'fast'",
                assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(
                        new String[] {"--out", "x", "--speed", "fast"}, now)).getMessage());
        assertEquals("Cannot parse arguments: give --speed or --rate, not both",
                assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(
                        new String[] {"--out", "x", "--speed", "1", "--rate", "1000"}, now)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(
                new String[] {"--out", "x", "--faults", "garbage,gibberish"}, now)).getMessage()
                .startsWith("Cannot parse --faults: fault must be one of garbage, truncated"));
        assertEquals("Cannot parse --fault-rate: expected a number between 0 and 1, got '1.5'",
                assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(
                        new String[] {"--out", "x", "--fault-rate", "1.5"}, now)).getMessage());
        assertEquals("Cannot parse arguments: --out DIR is required (or --from FILE to replay a recording)",
                assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(new String[] {}, now))
                        .getMessage());
        assertEquals("Cannot parse arguments: unknown option --colour (see --help)",
                assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(
                        new String[] {"--out", "x", "--colour", "red"}, now)).getMessage());

        // --rate is samples/s over the whole fiber: 1000 channels x 1 kHz at 2 M samples/s is twice real time
        ReplayCommand.Parsed p = ReplayCommand.parse(new String[] {"--out", "x", "--channels", "1000", "--rate",
            "2000000", "--start", "2026-01-01T00:00:00Z", "--faults", "late,garbage,late"}, now);
        assertEquals(2.0, p.options().speed(), 1e-12);
        assertFalse(p.live());
        assertEquals(List.of(MessageFault.GARBAGE, MessageFault.LATE), p.options().faults());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000L,
                p.options().generator().startMicros());
        assertEquals(1.0, p.options().generator().fileSeconds(), "renders one chunk at a time by default");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReplayCommand.run(new String[] {"--out", "x", "--partitions", "0"}, new PrintStream(
                new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(2, code);
        assertTrue(err.toString().contains("Cannot parse --partitions: expected a positive integer, got '0'"));
    }

    @Test
    void anUnreachableBrokerIsAClearFailure() throws Exception {
        Path out = fresh("replay-down");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReplayCommand.run(new String[] {"--out", out.toString(), "--bootstrap", "127.0.0.1:1",
            "--channels", "2", "--duration", "2", "--speed", "0"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(3, code);
        assertTrue(err.toString().startsWith("fosm replay: Cannot replay into fosm-chunks at 127.0.0.1:1: Cannot reach"
                + " Kafka"), err.toString());
    }

    @Test
    void kafkaAndS3SettingsComeFromTheConfiguration() throws Exception {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        // the stream's settings: bootstrap and topic from stream.kafka.*, client security from stream.kafka.option.*
        ReplayCommand.Parsed p = ReplayCommand.parse(new String[] {"--out", "x", "--conf",
            "stream.kafka.option.security.protocol=SASL_SSL", "--conf", "stream.kafka.topic=configured"},
                Map.of("FOSM_STREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093,kafka-2:9093"), now);
        assertEquals("kafka-1:9093,kafka-2:9093", p.options().bootstrap());
        assertEquals("configured", p.options().topic());
        assertEquals(Map.of("security.protocol", "SASL_SSL"), p.options().kafkaOptions());
        // --bootstrap and --topic still override
        p = ReplayCommand.parse(new String[] {"--out", "x", "--bootstrap", "b:1", "--topic", "t"},
                Map.of("FOSM_STREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093"), now);
        assertEquals("b:1", p.options().bootstrap());
        assertEquals("t", p.options().topic());
        // a bad s3.* or Kafka setting is a configuration error before anything is sent
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplayCommand.parse(new String[] {"--out", "x",
            "--conf", "stream.kafka.option.enable.auto.commit=true"}, now)).getMessage()
                .startsWith("Invalid stream.kafka.option.enable.auto.commit (from --conf)"));

        // end to end: no --bootstrap, the configured broker receives the fiber
        Path out = fresh("replay-configured");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReplayCommand.run(new String[] {"--out", out.toString(), "--conf",
            "stream.kafka.bootstrap_servers=" + kafka.bootstrap(), "--topic", "configured", "--channels", "2",
            "--duration", "2", "--speed", "0", "--fiber-id", "cf"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(0, code, err.toString());
        assertEquals(4, kafka.readAll("configured").size());
    }
}
