package io.fosm.generate;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {

    @Test
    void parsesEveryOption() {
        GeneratorConfig c = GenerateCommand.parse(new String[] {"--out", "/tmp/x", "--channels", "64", "--duration",
            "120", "--fs", "500", "--seed", "7", "--drift", "gain", "--fault-rate", "0.01", "--fiber-id", "f1",
            "--start", "2026-02-01T10:00:00Z", "--file-seconds", "20", "--event-rate=6",
            "--event-mix", "leak=2,pig=0", "--drift-onset", "30", "--channel-spacing", "2.5",
            "--interrogator-id", "iu-9", "--chunk-seconds", "0.5"});
        assertEquals("/tmp/x", c.output());
        assertEquals(64, c.channels());
        assertEquals(120, c.durationSeconds());
        assertEquals(500, c.sampleRate());
        assertEquals(7, c.seed());
        assertEquals(DriftMode.GAIN, c.driftMode());
        assertEquals(0.01, c.faultRate());
        assertEquals("f1", c.fiberId());
        assertEquals(Instant.parse("2026-02-01T10:00:00Z").getEpochSecond() * 1_000_000L, c.startMicros());
        assertEquals(20, c.fileSeconds());
        assertEquals(6, c.eventRatePerMinute());
        assertEquals(Map.of(EventType.LEAK, 2.0, EventType.PIG, 0.0), c.eventMix());
        assertEquals(30, c.driftOnsetSeconds());
        assertEquals(2.5, c.channelSpacingM());
        assertEquals("iu-9", c.interrogatorId());
        assertEquals(250, c.chunkSamples());
    }

    @Test
    void defaults() {
        GeneratorConfig c = GenerateCommand.parse(new String[] {"--out", "o"});
        assertEquals("fiber-1", c.fiberId());
        assertEquals(256, c.channels());
        assertEquals(1000, c.sampleRate());
        assertEquals(120, c.durationSeconds());
        assertEquals(10, c.fileSeconds());
        assertEquals(42, c.seed());
        assertEquals(60, c.driftOnsetSeconds());
        assertEquals(GeneratorConfig.DEFAULT_START_MICROS, c.startMicros());
        assertEquals(12, c.fileCount());
    }

    @Test
    void errorsNameTheOptionAndTheExpectedValue() {
        assertEquals("Cannot parse --channels: expected a positive integer, got 'abc'", error("--channels", "abc"));
        assertEquals("Cannot parse --channels: expected a positive integer, got '0'", error("--channels", "0"));
        assertEquals("Cannot parse --fault-rate: expected a number between 0 and 1, got '2'", error("--fault-rate", "2"));
        assertEquals("Cannot parse --drift: expected one of none, gain, noise, mix, all, got 'up'", error("--drift", "up"));
        assertTrue(error("--start", "yesterday").startsWith("Cannot parse --start: expected an ISO-8601"));
        assertTrue(error("--event-mix", "rain=1").startsWith("Cannot parse --event-mix: expected type=weight"));
        assertEquals("Cannot parse arguments: unknown option --colour (see --help)", error("--colour", "red"));
        assertEquals("Cannot parse arguments: --out DIR is required",
                assertThrows(IllegalArgumentException.class,
                        () -> GenerateCommand.parse(new String[] {"--channels", "4"})).getMessage());
        assertEquals("Cannot parse --seed: missing value", assertThrows(IllegalArgumentException.class,
                () -> GenerateCommand.parse(new String[] {"--out", "o", "--seed"})).getMessage());
        assertTrue(error("--duration", "10.5").startsWith("Cannot use these options: durationSeconds must be a whole"));
    }

    private static String error(String option, String value) {
        return assertThrows(IllegalArgumentException.class,
                () -> GenerateCommand.parse(new String[] {"--out", "o", option, value})).getMessage();
    }

    @Test
    void configChecksNameTheBadValue() {
        assertEquals("channels must be at least 1, cannot be: 0", assertThrows(IllegalArgumentException.class,
                () -> GeneratorConfig.builder().output("o").channels(0).build()).getMessage());
        assertEquals("faultRate must be within 0..1, cannot be: -0.5", assertThrows(IllegalArgumentException.class,
                () -> GeneratorConfig.builder().output("o").faultRate(-0.5).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> GeneratorConfig.builder().output("o").fiberId("a/b").build()).getMessage()
                .startsWith("fiberId must be letters, digits"));
        assertThrows(IllegalArgumentException.class,
                () -> GeneratorConfig.builder().output("o").sampleRate(999.5).build());
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.builder().build());
    }

    @Test
    void helpAndExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, GenerateCommand.run(new String[] {"--help"}, new PrintStream(out), new PrintStream(err)));
        assertTrue(out.toString().startsWith("Usage: fosm generate --out DIR"));
        assertEquals(2, GenerateCommand.run(new String[] {"--out", "o", "--channels", "x"}, new PrintStream(out),
                new PrintStream(err)));
        assertTrue(err.toString().contains("Cannot parse --channels"));
    }

    @Test
    void runWritesAndSummarises() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String dir = TestDirs.fresh("cli").toString();
        assertEquals(0, GenerateCommand.run(new String[] {"--out", dir, "--channels", "8", "--duration", "10"},
                new PrintStream(out), System.err), out.toString());
        assertTrue(out.toString().startsWith("wrote 1 files, 80 records"), out.toString());
    }
}
