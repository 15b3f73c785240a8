package io.fosm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md cannot go stale: every key of {@link FosmConfig#keys()} (declared in conf/defaults.properties
 * or read by the parser) has a row in one of its tables (the key in backticks in the row's first cell).
 */
class ConfigurationDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md").toAbsolutePath().normalize();
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** The keys documented in a table row's first cell (a cell may name several: "`a`, `b`"). */
    static Set<String> documentedKeys(List<String> lines) {
        Set<String> keys = new TreeSet<>();
        for (String line : lines) {
            if (!line.startsWith("| `")) {
                continue;
            }
            Matcher m = CODE.matcher(line.split("\\|")[1]);
            while (m.find()) {
                keys.add(m.group(1).trim());
            }
        }
        return keys;
    }

    @Test
    void everyKeyHasARowInTheConfigurationPage() throws Exception {
        Set<String> documented = documentedKeys(Files.readAllLines(DOC));
        Set<String> missing = new TreeSet<>(FosmConfig.keys());
        missing.removeAll(documented);
        assertTrue(missing.isEmpty(), missing.size() + " configuration keys have no row in " + DOC
                + " (add a table row with the key in backticks, its type, default and meaning): " + missing);
    }

    @Test
    void theKeysComeFromTheParserAndTheDefaults() {
        Set<String> keys = FosmConfig.keys();
        // read by the parser
        for (String key : List.of("gold.temporal_windows", "train.eval_collar", "promote.max_class_regression",
                "fiber.<id>.filter.savgol", "stream.kafka.option.<kafka-key>", "s3.endpoint", "spark.master")) {
            assertTrue(keys.contains(key), key + " in " + keys);
        }
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("fiber.fiber-1.")), "fiber keys in pattern form: " + keys);
        // only a table row's first cell documents a key; a mention in prose or in another cell does not
        assertEquals(Set.of("a.b", "c"), documentedKeys(List.of("| `a.b`, `c` | int | `1` | see `x.y` |",
                "text with `d.e`")));
    }
}
