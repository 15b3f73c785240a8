package io.fosm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fosm.config.FosmConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** The file system settings fosm gives code that writes without a SparkSession (the generator, the replay). */
class SessionsTest {
    @Test
    void fosmS3aSettingsReplaceHadoopsOwnDefaults() {
        Configuration hadoop = Sessions.hadoopConfiguration(FosmConfig.local());
        // core-default.xml sets the retries (20 SDK attempts, 7 S3A retries): fosm's bounds must win over them
        assertEquals("keep", hadoop.get("fs.s3a.directory.marker.retention"));
        Sessions.S3A_RETRY_BOUNDS.forEach((k, v) -> assertEquals(v, hadoop.get(k), k));
    }

    @Test
    void aValueSetBySparkSubmitWins() {
        String key = "spark.hadoop.fs.s3a.directory.marker.retention";
        String retry = "spark.hadoop.fs.s3a.retry.limit";
        System.setProperty(key, "delete");
        System.setProperty(retry, "9");
        try {
            Configuration hadoop = Sessions.hadoopConfiguration(FosmConfig.local());
            assertEquals("delete", hadoop.get("fs.s3a.directory.marker.retention"));
            assertEquals("9", hadoop.get("fs.s3a.retry.limit"));
        } finally {
            System.clearProperty(key);
            System.clearProperty(retry);
        }
    }

    @Test
    void setUnlessConfiguredKeepsAnExplicitValue() {
        Configuration hadoop = new Configuration();
        hadoop.set("fs.s3a.retry.limit", "5");
        Sessions.setUnlessConfigured(hadoop, "fs.s3a.retry.limit", "3");
        assertEquals("5", hadoop.get("fs.s3a.retry.limit"));
        Sessions.setUnlessConfigured(hadoop, "fs.s3a.retry.interval", "500ms");
        assertEquals("500ms", hadoop.get("fs.s3a.retry.interval"));
    }
}
