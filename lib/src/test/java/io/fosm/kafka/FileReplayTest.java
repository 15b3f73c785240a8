package io.fosm.kafka;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;
import io.fosm.ingest.DasSamples;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code fosm replay --from FILE}: a real recording reaches a real broker as chunk records, value for value. */
class FileReplayTest {

    @Test
    void aRealProdmlRecordingArrivesAsChunkRecordsWithItsOwnTimesAndValues() throws Exception {
        Path file = DasSamples.file("prodml_2.0.h5");
        try (KafkaBroker kafka = KafkaBroker.start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = io.fosm.kafka.ReplayCommand.run(new String[] {"--from", file.toString(), "--fiber-id", "p20",
                    "--bootstrap", kafka.bootstrap(), "--topic", "real", "--speed", "0", "--start", "file",
                    "--chunk-seconds", "5"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
            List<ConsumerRecord<String, byte[]>> messages = kafka.readAll("real");
            // 2500 samples at 200 Hz in 5 s chunks: 2 chunks of 1000 and one of 500, for each of 512 channels
            assertEquals(3 * 512, messages.size());
            Map<Long, ChunkRecord> channel9 = new HashMap<>();
            try (DasRecording r = DasReaders.open(file)) {
                int channel = r.info().startChannel() + 9;
                for (ConsumerRecord<String, byte[]> m : messages) {
                    ChunkRecord c = ChunkCodec.decode(m.value());
                    assertEquals("p20/" + c.channel(), m.key());
                    assertEquals(200.0, c.sampleRate());
                    if (c.channel() == channel) {
                        channel9.put(c.chunkStartMicros(), c);
                    }
                }
                double[] values = r.readChannels(9, 1);
                long start = r.info().startTimeMicros();
                ChunkRecord second = channel9.get(start + 5_000_000);
                assertNotNull(second, "the second chunk starts 5 s into the file: " + channel9.keySet());
                assertEquals(1000, second.samples().length);
                for (int t = 0; t < 1000; t++) {
                    assertEquals((float) values[1000 + t], second.samples()[t], "sample " + (1000 + t));
                }
                assertEquals(500, channel9.get(start + 10_000_000).samples().length, "the recording's last 2.5 s");
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(2, ReplayCommand.run(new String[] {"--from", file.toString()}, System.out,
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("fosm replay: Cannot parse arguments: --fiber-id is required"),
                    err.toString(StandardCharsets.UTF_8));
        }
    }
}
