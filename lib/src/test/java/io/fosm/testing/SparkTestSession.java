package io.fosm.testing;

import io.fosm.config.FosmConfig;
import io.fosm.spark.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The one SparkSession of a test JVM (local[2], Delta enabled, few shuffle partitions), created on first use. */
public final class SparkTestSession {
    private static SparkSession spark;

    private SparkTestSession() {}

    public static synchronized SparkSession get() {
        if (spark == null) {
            spark = Sessions.open(FosmConfig.local(), "fosm-tests");
            spark.conf().set("spark.sql.shuffle.partitions", "2");
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /** A fresh lakehouse folder under target/ and a local-profile config pointing at it. */
    public static FosmConfig lakehouse(String name, String... overrides) {
        try {
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), name);
            String[] all = new String[overrides.length + 1];
            all[0] = "lakehouse.root=" + dir.toAbsolutePath();
            System.arraycopy(overrides, 0, all, 1, overrides.length);
            return FosmConfig.local(all);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
