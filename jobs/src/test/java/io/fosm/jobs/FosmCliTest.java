package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command line fails early and readably; none of these cases needs a SparkSession. */
class FosmCliTest {
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

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertEquals(2, Fosm.run(new String[] {"bronz"}, Map.of()));
        assertTrue(err().startsWith("fosm: Cannot parse arguments: unknown command 'bronz' (commands: generate,"),
                err());
        assertTrue(err().contains("Usage: fosm"), "the usage follows: " + err());
    }

    @Test
    void badConfigurationNamesKeyAndSource() {
        int code = Fosm.run(new String[] {"gold", "--conf", "gold.window_seconds=-1"}, Map.of());
        assertEquals(2, code);
        assertEquals("fosm gold: Invalid gold.window_seconds (from --conf): expected a positive number, got '-1'",
                err().trim());
    }

    @Test
    void badEnvironmentOverrideIsReported() {
        int code = Fosm.run(new String[] {"silver"}, Map.of("FOSM_SILVER_MAX_QUARANTINE_FRACTION", "lots"));
        assertEquals(2, code);
        assertTrue(err().contains("from env FOSM_SILVER_MAX_QUARANTINE_FRACTION"), err());
    }

    @Test
    void badDateAndUnknownArgument() {
        assertEquals(2, Fosm.run(new String[] {"silver", "--date", "2026-13-01"}, Map.of()));
        assertTrue(err().startsWith("fosm silver: Cannot parse --date: expected YYYY-MM-DD, got '2026-13-01'"), err());
        assertEquals(2, Fosm.run(new String[] {"gold", "--window", "2"}, Map.of()));
        assertTrue(err().contains("fosm gold: Cannot parse arguments: unknown option --window (see --help)"), err());
    }

    @Test
    void streamOptionsAndConfigAreCheckedBeforeSparkStarts() {
        assertEquals(2, Fosm.run(new String[] {"stream", "--for", "soon"}, Map.of()));
        assertTrue(err().contains("fosm stream: Cannot parse --for: expected a positive number, got 'soon'"), err());
        assertEquals(2, Fosm.run(new String[] {"stream", "--conf", "stream.source=mqtt"}, Map.of()));
        assertTrue(err().contains("Invalid stream.source (from --conf)"), err());
        assertTrue(err().contains("files or kafka"), err());
    }

    @Test
    void dateIsRejectedWhereItWouldBeIgnored() {
        // only silver, gold and score have --date: bronze lands whatever is new, whatever its date
        assertEquals(2, Fosm.run(new String[] {"bronze", "--date", "2026-01-01"}, Map.of()));
        assertTrue(err().contains("fosm bronze: Cannot parse arguments: unknown option --date"), err());
    }

    @Test
    void wrapperVariablesAreNotMistakenForConfigurationKeys() {
        assertEquals(0, Fosm.run(new String[] {"config"}, Map.of("FOSM_MASTER", "local[1]", "FOSM_DRIVER_MEMORY", "2g",
                "FOSM_SPARK_SUBMIT_ARGS", "--verbose")));
    }

    @Test
    void generatorArgumentsAreValidated() {
        assertEquals(2, Fosm.run(new String[] {"generate", "--out", "x", "--channels", "abc"}, Map.of()));
        assertTrue(err().contains("--channels"), err());
    }

    @Test
    void generatorChecksTheFileSystemConfigurationBeforeWriting(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path out = dir.resolve("lake");
        assertEquals(2, Fosm.run(new String[] {"generate", "--out", out.toString(), "--duration", "2"},
                Map.of("FOSM_S3_ENDPOINT", "http://minio:9000/bucket")));
        assertTrue(err().startsWith("fosm generate: Invalid s3.endpoint (from env FOSM_S3_ENDPOINT)"), err());
        assertFalse(java.nio.file.Files.exists(out), "nothing is written under a configuration error");
    }

    @Test
    void configCommandPrintsTheEffectiveValues() {
        assertEquals(0, Fosm.run(new String[] {"config", "--conf", "gold.hop_seconds=0.25"}, Map.of()));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("gold.hop_seconds = 0.25"), printed);
        assertTrue(printed.contains("spark.master = local[2]"), printed);
    }

    @Test
    void driftArgumentsAreValidated() {
        assertEquals(2, Fosm.run(new String[] {"drift", "--reference", "gold_features"}, Map.of()));
        assertTrue(err().contains("fosm drift: Cannot parse arguments: --current TABLE is required"), err());
        assertEquals(2, Fosm.run(new String[] {"drift", "--current", "x", "--start", "yesterday"}, Map.of()));
        assertTrue(err().contains("fosm drift: Cannot parse --start: expected an ISO-8601 UTC time"), err());
        assertEquals(2, Fosm.run(new String[] {"drift", "--current", "x", "--window-seconds", "0"}, Map.of()));
        assertEquals(2, Fosm.run(new String[] {"drift", "--current", "x", "--date", "2026-01-01"}, Map.of()));
        assertEquals(2, Fosm.run(new String[] {"drift", "--current", "x", "--bogus"}, Map.of()));
        assertTrue(err().contains("unknown option --bogus"), err());
        assertEquals(2, Fosm.run(new String[] {"drift", "--current", "x", "--start", "2026-01-02T00:00:00Z", "--end",
            "2026-01-01T00:00:00Z"}, Map.of()));
        assertTrue(err().contains("fosm drift: Cannot run drift: --end must be after --start"), err());
    }

    @Test
    void helpIsGeneratedForTheToolAndEveryCommand() {
        assertEquals(0, Fosm.run(new String[] {"--help"}, Map.of()));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String command : new String[] {"generate", "replay", "bronze", "silver", "gold", "train", "promote",
            "rollback", "score", "stream", "drift", "summary", "config"}) {
            assertTrue(help.contains("  " + command + " "), command + " listed in\n" + help);
        }
        out.reset();
        assertEquals(0, Fosm.run(new String[] {"gold", "--help"}, Map.of()));
        String gold = out.toString(StandardCharsets.UTF_8);
        assertTrue(gold.startsWith("Usage: fosm gold"), gold);
        for (String option : new String[] {"--date=YYYY-MM-DD", "--profile=NAME", "--conf-file=FILE", "--conf=KEY=VALUE"}) {
            assertTrue(gold.contains(option), option + " in\n" + gold);
        }
        out.reset();
        assertEquals(0, Fosm.run(new String[] {"promote", "-h"}, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--fail-if-not-promoted"));
        assertEquals(0, Fosm.run(new String[] {"generate", "--help"}, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: fosm generate --out DIR [options]"));
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, Fosm.run(new String[0], Map.of()));
        assertTrue(err().startsWith("fosm: Cannot run fosm: a command is required"), err());
    }

    @Test
    void optionsTakeTheEqualsFormAndRefuseRepeats() {
        assertEquals(0, Fosm.run(new String[] {"config", "--conf=gold.hop_seconds=0.5", "--profile=local"}, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("gold.hop_seconds = 0.5"));
        assertEquals(2, Fosm.run(new String[] {"gold", "--date", "2026-01-01", "--date", "2026-01-02"}, Map.of()));
        assertTrue(err().contains("fosm gold: Cannot parse --date: given more than once"), err());
    }
}
