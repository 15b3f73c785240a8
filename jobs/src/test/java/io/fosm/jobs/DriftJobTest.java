package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fosm drift} end to end through the CLI: two small generated fibers taken to gold, one of them with a gain
 * drift from its middle on; the batch job reports two windows, flags the second one and exits 1 with
 * {@code --fail-on-drift}.
 */
class DriftJobTest {

    private static int fosm(Path lake, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--conf";
        all[args.length + 1] = "lakehouse.root=" + lake;
        return Fosm.run(all, Map.of());
    }

    private static void goldOf(Path lake, String seed, String drift) {
        assertEquals(0, Fosm.run(new String[] {"generate", "--out", lake.toString(), "--fiber-id", "demo",
                "--channels", "16", "--duration", "40", "--seed", seed, "--drift", drift}, Map.of()));
        for (String job : new String[] {"bronze", "silver", "gold"}) {
            assertEquals(0, fosm(lake, job), job);
        }
    }

    @Test
    void batchDriftReportsWindowsAndFailsOnDrift(@TempDir Path dir) throws Exception {
        Path reference = dir.resolve("reference");
        Path current = dir.resolve("current");
        goldOf(reference, "31", "none");
        goldOf(current, "32", "gain");
        int code = fosm(current, "drift", "--reference", reference.resolve("gold/features").toString(),
                "--current", "gold_features", "--start", "2026-01-01T00:00:00Z", "--end", "2026-01-01T00:00:40Z",
                "--window-seconds", "20", "--fail-on-drift");
        assertEquals(1, code, "the last window drifted");
        JsonNode flag = new ObjectMapper().readTree(Files.readString(current.resolve("_drift/flag.json")));
        assertTrue(flag.get("drifted").asBoolean());
        assertEquals("2026-01-01T00:00:20Z", flag.get("report_start").asText());
        assertEquals(1, flag.get("consecutive_drifted_windows").asInt(), "the first window (before the onset) passed");
        assertTrue(Files.isRegularFile(Path.of(flag.get("report_html").asText())));
        assertTrue(Files.isDirectory(current.resolve("drift/reports/_delta_log")), "drift_reports written");
        // the report names the table versions it read (pinned reads)
        JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(flag.get("report_json").asText())));
        assertTrue(report.path("inputs").path("current").asText().matches("gold_features@v\\d+"), report.toString());
        assertTrue(report.path("inputs").path("reference").asText()
                .matches(java.util.regex.Pattern.quote(reference.resolve("gold/features").toString()) + "@v\\d+"),
                report.path("inputs").toString());
    }
}
