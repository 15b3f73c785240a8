package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes and the first stderr line of the real entry point ({@code Fosm.main}, which calls System.exit) in a
 * child JVM with the command line's log configuration (conf/log4j2.properties, as bin/fosm passes it): a Spark task
 * that fails exits 3 with the root cause on stderr line 1; bad arguments exit 2 with one line and the usage.
 */
class FailureContractTest {
    private static final Path LOG_CONFIG = Path.of("..", "conf", "log4j2.properties").toAbsolutePath().normalize();

    record Result(int code, List<String> stderr, String stdout) {}

    private static Result fosm(Path work, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dio.netty") || a.startsWith("-Djava.io.tmpdir")
                    || a.startsWith("-XX:+IgnoreUnrecognized") || a.startsWith("-Djdk.reflect")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx1g");
        cmd.add("-Dlog4j2.configurationFile=file:" + LOG_CONFIG);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Fosm.class.getName());
        cmd.addAll(List.of(args));
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("fosm " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readAllLines(err, StandardCharsets.UTF_8),
                Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void aFailedSparkTaskExitsThreeWithTheRootCauseFirst(@TempDir Path dir) throws Exception {
        Path lake = dir.resolve("lake");
        assertEquals(0, Fosm.run(new String[] {"generate", "--out", lake.toString(), "--fiber-id", "fc",
            "--channels", "4", "--duration", "4", "--seed", "3"}, Map.of()));
        assertEquals(0, Fosm.run(new String[] {"bronze", "--conf", "lakehouse.root=" + lake}, Map.of()));
        // bronze's data files become garbage: the Delta log still lists them, so silver's read tasks fail on them
        List<Path> data;
        try (Stream<Path> files = Files.walk(lake.resolve("bronze"))) {
            data = files.filter(f -> f.toString().endsWith(".parquet") && !f.toString().contains("_delta_log"))
                    .toList();
        }
        assertTrue(!data.isEmpty(), "bronze wrote parquet files");
        for (Path f : data) {
            Files.writeString(f, "this is not a parquet file, it is long enough to have a footer position");
        }

        Result r = fosm(dir, "silver", "--conf", "lakehouse.root=" + lake);
        assertEquals(3, r.code(), String.join("\n", r.stderr()));
        String first = r.stderr().get(0);
        assertTrue(first.startsWith("fosm silver: Cannot complete: "), first);
        assertTrue(first.contains("is not a Parquet file"), "the root cause, not the SparkException wrapper: " + first);
        assertTrue(first.contains(data.get(0).getFileName().toString()) || first.contains("part-"), first);
        assertTrue(r.stderr().stream().anyMatch(l -> l.startsWith("org.apache.spark.SparkException")),
                "the stack trace follows");
    }

    @Test
    void badArgumentsExitTwoWithOneLineAndTheUsage(@TempDir Path dir) throws Exception {
        Result r = fosm(dir, "gold", "--window", "2");
        assertEquals(2, r.code(), String.join("\n", r.stderr()));
        assertEquals("fosm gold: Cannot parse arguments: unknown option --window (see --help)", r.stderr().get(0));
        assertTrue(r.stderr().get(1).startsWith("Usage: fosm gold"), r.stderr().get(1));

        r = fosm(dir, "score", "--conf", "promote.metric=luck");
        assertEquals(2, r.code(), String.join("\n", r.stderr()));
        assertEquals("fosm score: Invalid promote.metric (from --conf): expected one of macro_f1, accuracy,"
                + " roc_auc_event, pr_auc_event, got 'luck'", r.stderr().get(0));
        assertEquals(1, r.stderr().size(), "no stack trace for a configuration error: " + r.stderr());
    }
}
