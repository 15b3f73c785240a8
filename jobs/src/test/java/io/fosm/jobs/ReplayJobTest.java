package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fosm.record.ChunkCodec;
import io.fosm.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fosm replay} through the command dispatcher, against a real in-process broker. */
class ReplayJobTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeEach
    void capture() {
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        System.setErr(stderr);
    }

    @Test
    void helpAndBadOptions() {
        assertEquals(0, Fosm.run(new String[] {"replay", "--help"}, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: fosm replay --out DIR"));
        assertEquals(2, Fosm.run(new String[] {"replay", "--out", "x", "--speed", "fast"}, Map.of()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Cannot parse --speed"), err.toString());
    }

    @Test
    void replaysIntoKafka() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))),
                "replay-job");
        try (KafkaBroker kafka = KafkaBroker.start()) {
            int code = Fosm.run(new String[] {"replay", "--out", dir.toString(), "--bootstrap", kafka.bootstrap(),
                "--topic", "job", "--channels", "4", "--duration", "3", "--speed", "0", "--fiber-id", "jb"}, Map.of());
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            var messages = kafka.readAll("job");
            assertEquals(12, messages.size());
            messages.forEach(m -> assertEquals("jb/" + ChunkCodec.decode(m.value()).channel(), m.key()));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("12 messages, 12 records, 12000 samples"),
                    out.toString(StandardCharsets.UTF_8));
        }
        assertTrue(Files.exists(dir.resolve("events/jb_replay_events.jsonl")));
    }
}
