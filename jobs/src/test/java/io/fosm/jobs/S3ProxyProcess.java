package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3 REST server on loopback: s3proxy 2.9.0 ({@code jar-with-dependencies}, copied into target/s3proxy by
 * Maven) backed by a folder, run as its own process because its Jetty 11 / Guava 33 stack clashes with Spark's
 * classpath. One bucket is created before it starts (the filesystem blob store maps buckets to folders).
 */
final class S3ProxyProcess implements AutoCloseable {
    /** Test-only credentials of this throwaway server; jobs get them from the environment, as in production. */
    static final String ACCESS_KEY = "fosm-it-access";
    static final String SECRET_KEY = "fosm-it-secret";

    private final Process process;
    private final int port;

    private S3ProxyProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static S3ProxyProcess start(Path dir, String bucket) throws Exception {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        assertTrue(Files.isRegularFile(jar), "missing " + jar + " (Maven copies it at pre-integration-test)");
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve(bucket));
        int port = StandaloneCluster.freePort();
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data, ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx512m", "-jar", jar.toString(),
                "--properties", props.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        S3ProxyProcess proxy = new S3ProxyProcess(p, port);
        // also when the test JVM is interrupted before @AfterAll (Ctrl-C in make test)
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "stop-s3proxy"));
        try {
            StandaloneCluster.await("s3proxy on port " + port + " (log " + dir.resolve("s3proxy.log") + ")",
                    Duration.ofSeconds(60), () -> {
                        assertTrue(p.isAlive(), "s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                        try (Socket s = new Socket("127.0.0.1", port)) {
                            return true;
                        } catch (IOException notYet) {
                            return false;
                        }
                    });
        } catch (Throwable e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
