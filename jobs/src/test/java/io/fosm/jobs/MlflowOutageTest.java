package io.fosm.jobs;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Tables;
import io.fosm.testing.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MLflow down (the tracking URI points at a closed port): train, score, promote and rollback stop before touching the
 * lakehouse or the registry, with exit 3 (a retry may succeed once the server is back) and the reason first on stderr.
 */
class MlflowOutageTest {

    @Test
    void everyModelCommandFailsFastAndCleanlyWhenMlflowIsDown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "http://127.0.0.1:" + port;
        Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "mlflow-down");
        for (String command : new String[] {"train", "score", "promote", "rollback"}) {
            PrintStream stderr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Fosm.run(new String[] {command, "--conf", "lakehouse.root=" + root,
                        "--conf", "mlflow.tracking_uri=" + uri}, Map.of());
            } finally {
                System.setErr(stderr);
            }
            // Spark's own log lines may come first on stderr (log4j); fosm's line is the first of its own
            String first = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("fosm "))
                    .findFirst().orElse(err.toString(StandardCharsets.UTF_8));
            assertEquals(3, code, command + ": " + first);
            assertTrue(first.startsWith("fosm " + command + ": "), first);
            assertTrue(first.contains("Cannot reach the MLflow tracking server at " + uri), first);
        }
        assertFalse(Delta.exists(SparkTestSession.get(), Tables.GOLD_PREDICTIONS.path(
                io.fosm.config.FosmConfig.local("lakehouse.root=" + root))), "score wrote nothing");
    }
}
