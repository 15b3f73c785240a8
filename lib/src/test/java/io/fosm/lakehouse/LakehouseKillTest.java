package io.fosm.lakehouse;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.reliability.FaultPoints;
import io.fosm.testing.SparkTestSession;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kill -9 at each named commit point of bronze, silver (write-audit-publish) and gold, then a rerun: every table of the
 * lakehouse equals that of an uninterrupted run (row count and a content hash). The killed run is a child JVM halted by
 * {@code FOSM_HALT_AT} (exit 137, no shutdown hook); the reference runs and the reruns run in this JVM. Plus two bronze
 * runs at once: each landing file lands once, and the run that lost the race says so.
 */
class LakehouseKillTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final List<Tables> TABLES = List.of(Tables.BRONZE, Tables.BRONZE_QUARANTINE, Tables.SILVER,
            Tables.SILVER_QUARANTINE, Tables.GOLD_FEATURES);
    /** Columns that hold the time of the run, not data. */
    private static final List<String> RUN_TIME = List.of(Columns.INGEST_TIME, Columns.QUARANTINED_AT);
    private static Path landing;
    /** The reference after each job: table -> "rows/hash". */
    private static final Map<String, Map<String, String>> REFERENCE = new LinkedHashMap<>();

    @BeforeAll
    static void referenceRun() throws Exception {
        Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "kill-source");
        new FiberSimulator(GeneratorConfig.builder().output(root.toString()).fiberId("demo").channels(6)
                .durationSeconds(12).fileSeconds(2).seed(5).eventRatePerMinute(20).faultRate(0.02).build()).run();
        landing = root;
        FosmConfig ref = lake("kill-reference");
        Bronze.run(SPARK, ref);
        REFERENCE.put("bronze", fingerprint(ref));
        Silver.run(SPARK, ref, Optional.empty());
        REFERENCE.put("silver", fingerprint(ref));
        Gold.run(SPARK, ref, Optional.empty());
        REFERENCE.put("gold", fingerprint(ref));
        assertNotEquals("0/", REFERENCE.get("gold").get(Tables.GOLD_FEATURES.tableName()).substring(0, 2));
        assertNotEquals("0/", REFERENCE.get("silver").get(Tables.SILVER_QUARANTINE.tableName()).substring(0, 2),
                "the fixture has bad rows, so the quarantine writes are exercised");
    }

    @Test
    void killedAtEveryCommitPointOfBronzeSilverAndGoldTheRerunEqualsAnUninterruptedRun() throws Exception {
        record Case(String job, String point) {}
        List<Case> cases = List.of(new Case("bronze", "bronze.after_commit"),
                new Case("silver", "silver.after_stage_commit"), new Case("silver", "silver.after_publish"),
                new Case("gold", "gold.after_commit"));
        for (Case c : cases) {
            FosmConfig config = lake("kill-" + c.point());
            // the jobs before this one ran uninterrupted
            for (String before : List.of("bronze", "silver", "gold")) {
                if (before.equals(c.job())) {
                    break;
                }
                run(before, config);
            }
            assertEquals(FaultPoints.HALT_EXIT_CODE, child(c.job(), c.point(), config), "halted at " + c.point());
            run(c.job(), config);
            assertEquals(REFERENCE.get(c.job()), fingerprint(config), "after a kill at " + c.point() + " and a rerun");
        }
    }

    @Test
    void twoBronzeRunsAtOnceLandEachFileOnceAndTheLoserSaysWhy() throws Exception {
        FosmConfig config = lake("kill-concurrent");
        List<String> outcomes = atOnce(() -> Bronze.run(SPARK, config));
        for (String o : outcomes) {
            assertTrue(o.equals("ok") || o.startsWith("Cannot commit bronze_") && o.contains("rerun it"), o);
        }
        // whatever the interleaving, one more run completes anything a lost race left out
        Bronze.run(SPARK, config);
        assertEquals(REFERENCE.get("bronze"), fingerprint(config), "each landing file once: " + outcomes);
    }

    @Test
    void twoSilverRunsAndTwoGoldRunsAtOnceEndWithTheUninterruptedResult() throws Exception {
        for (String job : List.of("silver", "gold")) {
            FosmConfig config = lake("concurrent-" + job);
            // the jobs before this one ran uninterrupted
            for (String before : List.of("bronze", "silver")) {
                if (before.equals(job)) {
                    break;
                }
                run(before, config);
            }
            List<String> outcomes = atOnce(() -> run(job, config));
            for (String o : outcomes) {
                assertTrue(o.equals("ok") || o.startsWith("Cannot commit ") && o.contains("rerun it"), job + ": " + o);
            }
            assertTrue(outcomes.contains("ok"), job + ": one of two concurrent runs completes: " + outcomes);
            // no rerun: the run that completed left the whole result, the loser wrote nothing
            assertEquals(REFERENCE.get(job), fingerprint(config), "two " + job + " runs at once: " + outcomes);
        }
    }

    /** Runs {@code job} twice at once on this JVM's session; each outcome "ok" or the concurrent-commit message. */
    private static List<String> atOnce(Runnable job) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> outcomes = new ArrayList<>();
        try {
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    go.await();
                    try {
                        job.run();
                        return "ok";
                    } catch (Delta.ConcurrentCommitException e) {
                        return e.getMessage();
                    }
                }));
            }
            go.countDown();
            for (Future<String> f : runs) {
                outcomes.add(f.get(5, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        return outcomes;
    }

    private static FosmConfig lake(String name) throws IOException {
        Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), name);
        copyTree(landing.resolve("landing"), root.resolve("landing"));
        copyTree(landing.resolve("events"), root.resolve("events"));
        return FosmConfig.local(overrides(root).toArray(new String[0]));
    }

    private static List<String> overrides(Path root) {
        return List.of("lakehouse.root=" + root.toAbsolutePath(), "fibers=demo", "fiber.demo.channels=6");
    }

    private static void run(String job, FosmConfig config) {
        switch (job) {
            case "bronze" -> Bronze.run(SPARK, config);
            case "silver" -> Silver.run(SPARK, config, Optional.empty());
            default -> Gold.run(SPARK, config, Optional.empty());
        }
    }

    /** Per table: row count and a SHA-256 over the sorted rows (without the run-time columns). */
    private static Map<String, String> fingerprint(FosmConfig config) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (Tables t : TABLES) {
            String path = t.path(config);
            if (!Delta.exists(SPARK, path)) {
                out.put(t.tableName(), "0/");
                continue;
            }
            Dataset<Row> df = SPARK.read().format("delta").load(path);
            List<Column> keep = new ArrayList<>();
            for (String c : df.columns()) {
                if (!RUN_TIME.contains(c)) {
                    // arrays and binary as their JSON/base64 text: an exact, order-preserving rendering
                    keep.add(functions.to_json(functions.struct(functions.col(c))));
                }
            }
            List<String> rows = new ArrayList<>();
            // landing file paths name the lakehouse root, which differs per run
            String root = Path.of(config.lakehouseRoot()).toAbsolutePath().toString();
            for (Row r : df.select(functions.concat_ws("|", keep.toArray(new Column[0]))).collectAsList()) {
                rows.add(r.getString(0).replace(root, "<root>"));
            }
            rows.sort(null);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String r : rows) {
                sha.update(r.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            out.put(t.tableName(), rows.size() + "/" + HexFormat.of().formatHex(sha.digest(), 0, 8));
        }
        return out;
    }

    private static int child(String job, String haltAt, FosmConfig config) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dio.netty") || a.startsWith("-Djava.io.tmpdir")
                    || a.startsWith("-XX:+IgnoreUnrecognized") || a.startsWith("-Djdk.reflect")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), LakehouseChild.class.getName(), job));
        cmd.addAll(overrides(Path.of(config.lakehouseRoot())));
        Path log = Path.of("target", "lakehouse-kill-" + haltAt + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(FaultPoints.ENV, haltAt);
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the child ends: see " + log);
        return p.exitValue();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
