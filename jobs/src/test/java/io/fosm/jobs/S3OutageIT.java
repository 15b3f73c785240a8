package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.lakehouse.Tables;
import io.fosm.testing.SparkTestSession;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The lakehouse's S3 endpoint going down in the middle of a job: {@code fosm bronze} on an s3a:// lakehouse (s3proxy
 * on loopback) reaches S3 through a proxy that dies when bronze uploads its first data file (table created, nothing
 * committed). The job, a child JVM with
 * fosm's bounded S3A retries ({@code Sessions.S3A_RETRY_BOUNDS}), exits 3 with one line naming the endpoint; bronze
 * has no commit (Delta: no partial write is visible); the rerun with the endpoint back lands every record once.
 */
class S3OutageIT {
    private static final Path WORK = Path.of("target", "it-s3-outage").toAbsolutePath();
    private static final Path LOG_CONFIG = Path.of("..", "conf", "log4j2.properties").toAbsolutePath().normalize();
    private static final String BUCKET = "fosm-outage";
    private static final String ROOT = "s3a://" + BUCKET + "/lake";
    private static final int CHANNELS = 4;
    private static final int SECONDS = 10;

    record Result(int code, List<String> stderr) {}

    @Test
    void theEndpointGoingDownMidBronzeExitsThreeNamingItAndTheRerunLandsEveryRecordOnce() throws Exception {
        if (Files.exists(WORK)) {
            try (Stream<Path> old = Files.walk(WORK)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(WORK);
        try (S3ProxyProcess s3 = S3ProxyProcess.start(WORK, BUCKET)) {
            Result generate = fosm("generate", s3.endpoint(), "generate", "--out", ROOT, "--fiber-id", "fiber-1",
                    "--channels", String.valueOf(CHANNELS), "--duration", String.valueOf(SECONDS), "--seed", "3");
            assertEquals(0, generate.code(), String.join("\n", generate.stderr()));

            URI endpoint = URI.create(s3.endpoint());
            String table = Tables.BRONZE.path(io.fosm.config.FosmConfig.local("lakehouse.root=/lake")).substring("/lake/".length());
            Path bronze = WORK.resolve("data").resolve(BUCKET).resolve("lake").resolve(table);
            Result cut;
            try (CutProxy proxy = CutProxy.cutOn(endpoint.getHost(), endpoint.getPort(),
                    ".parquet HTTP/1.1")) {
                long t0 = System.nanoTime();
                cut = fosm("bronze-cut", proxy.uri(), "bronze", "--conf", "lakehouse.root=" + ROOT);
                System.out.printf("S3OutageIT: bronze failed %.1f s after start (bounded S3A retries)%n",
                        (System.nanoTime() - t0) / 1e9);
                assertTrue(proxy.wasCut(), "bronze reached its first write: " + String.join("\n", cut.stderr()));
                assertEquals(3, cut.code(), String.join("\n", cut.stderr()));
                String first = cut.stderr().get(0);
                assertTrue(first.startsWith("fosm bronze: "), first);
                assertTrue(first.contains(URI.create(proxy.uri()).getAuthority()), "names the endpoint: " + first);
            }
            assertFalse(committedData(bronze), "nothing half-written: no bronze commit added a data file (the empty "
                    + "CREATE commit that records the samples encoding may stand)");

            Result rerun = fosm("bronze-rerun", s3.endpoint(), "bronze", "--conf", "lakehouse.root=" + ROOT);
            assertEquals(0, rerun.code(), String.join("\n", rerun.stderr()));
            // s3proxy's filesystem store keeps each object as a file: the table reads back from its folder
            Dataset<Row> rows = SparkTestSession.get().read().format("delta").load(bronze.toString());
            assertEquals(CHANNELS * SECONDS, rows.count(), "one record per channel and second, each once");
            assertEquals(CHANNELS * SECONDS, rows.select("channel", "chunk_start").distinct().count());
        }
    }

    /** Whether a commit of the table's Delta log adds a data file ({@code "add"} action). */
    private static boolean committedData(Path table) throws Exception {
        Path log = table.resolve("_delta_log");
        if (!Files.isDirectory(log)) {
            return false;
        }
        try (Stream<Path> files = Files.list(log)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                if (Files.readAllLines(f).stream().anyMatch(line -> line.startsWith("{\"add\""))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code fosm <args>} in a child JVM (local master) against the S3 endpoint, credentials from its environment. */
    private static Result fosm(String name, String endpoint, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dio.netty") || a.startsWith("-Djava.io.tmpdir")
                    || a.startsWith("-XX:+IgnoreUnrecognized") || a.startsWith("-Djdk.reflect")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-Dspark.hadoop.fs.s3a.buffer.dir=" + WORK.resolve("s3a-buffer"), "-Dlog4j2.configurationFile=file:" + LOG_CONFIG, "-cp",
                System.getProperty("java.class.path"), Fosm.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--conf", "s3.endpoint=" + endpoint, "--conf", "s3.path_style_access=true"));
        Path err = WORK.resolve(name + ".stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile())
                .redirectOutput(WORK.resolve(name + ".stdout").toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", S3ProxyProcess.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyProcess.SECRET_KEY);
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("fosm " + String.join(" ", args) + " did not end in 5 minutes (unbounded S3A retries?): see " + err);
        }
        return new Result(p.exitValue(), Files.readAllLines(err, StandardCharsets.UTF_8));
    }
}
