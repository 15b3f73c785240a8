package io.fosm.spark;

import io.fosm.config.FosmConfig;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/** Opens the one SparkSession a job (or a test JVM) uses, with Delta enabled. */
public final class Sessions {
    private Sessions() {}

    /**
     * Gets or creates the session. The master comes from spark-submit when it set one, else from
     * {@code spark.master} of the configuration (the local profile uses local[2]).
     */
    public static SparkSession open(FosmConfig config, String appName) {
        // a mistyped fault-injection point must fail now, not let the job run past the point it meant
        io.fosm.reliability.FaultPoints.check();
        SparkConf conf = new SparkConf(true);
        if (!conf.contains("spark.master")) {
            conf.setMaster(config.sparkMaster().orElseThrow(() -> new io.fosm.config.ConfigException(
                    "Cannot start Spark: no master from spark-submit and spark.master is empty in profile '"
                            + config.profile() + "' (use --profile local or spark-submit --master ...)")));
        }
        // spark-submit names the app after the main class unless --name was given; the command name says more
        if (!conf.contains("spark.app.name") || conf.get("spark.app.name").equals("io.fosm.jobs.Fosm")) {
            conf.setAppName(appName);
        }
        conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(config.shufflePartitions()));
        conf.setIfMissing("spark.sql.session.timeZone", "UTC");
        // Delta replays its log with 50 partitions by default: pure overhead for small tables and local runs
        conf.setIfMissing("spark.databricks.delta.snapshotPartitions", String.valueOf(config.shufflePartitions()));
        // Delta checkpoints and the small lakehouse tables do not need adaptive coalescing noise in the UI
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // s3a:// lakehouses: keep directory markers (fast commits; right on real S3 too)
        conf.setIfMissing("spark.hadoop." + MARKER_RETENTION, "keep");
        // s3a:// lakehouses: an unreachable endpoint fails the job within about a minute instead of retrying for many
        // (hadoop-aws 3.3.4 defaults: 20 SDK attempts inside each of 7 S3A retries, 200 s socket timeout)
        S3A_RETRY_BOUNDS.forEach((k, v) -> conf.setIfMissing("spark.hadoop." + k, v));
        // the s3.* keys, when set, win over spark-submit's spark.hadoop.fs.s3a.* (the validated config is the record)
        config.s3().hadoopSettings().forEach((k, v) -> conf.set("spark.hadoop." + k, v));
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private static final String MARKER_RETENTION = "fs.s3a.directory.marker.retention";

    /**
     * Bounded S3A retries (docs/reliability.md, "S3 endpoint down"), each unless spark-submit or the environment set
     * it: at most 3 AWS SDK attempts per request, 3 S3A retries from 500 ms, 5 s to connect, 60 s per socket read.
     */
    public static final Map<String, String> S3A_RETRY_BOUNDS = Map.of(
            "fs.s3a.attempts.maximum", "3",
            "fs.s3a.retry.limit", "3",
            "fs.s3a.retry.interval", "500ms",
            "fs.s3a.connection.establish.timeout", "5000",
            "fs.s3a.connection.timeout", "60000");

    /**
     * The Hadoop configuration of code that writes through the Hadoop FileSystem API without a SparkSession (the
     * generator), with the same file system settings {@link #open} gives a session: Hadoop's defaults, the
     * {@code spark.hadoop.*} settings of spark-submit, then fosm's.
     */
    public static Configuration hadoopConfiguration(FosmConfig config) {
        Configuration hadoop = new Configuration();
        for (Tuple2<String, String> kv : new SparkConf(true).getAllWithPrefix("spark.hadoop.")) {
            hadoop.set(kv._1(), kv._2());
        }
        // setIfUnset would see the defaults of core-default.xml (it sets the retries; hadoop-aws 3.3.4 keeps the
        // marker policy's default in code): only a value set elsewhere wins over fosm's
        setUnlessConfigured(hadoop, MARKER_RETENTION, "keep");
        S3A_RETRY_BOUNDS.forEach((k, v) -> setUnlessConfigured(hadoop, k, v));
        config.s3().hadoopSettings().forEach(hadoop::set);
        return hadoop;
    }

    /** Sets {@code key} unless a source other than Hadoop's own core-default.xml already set it. */
    static void setUnlessConfigured(Configuration hadoop, String key, String value) {
        String[] sources = hadoop.getPropertySources(key);
        if (sources == null || java.util.Arrays.stream(sources).allMatch("core-default.xml"::equals)) {
            hadoop.set(key, value);
        }
    }

    /** Labels the next Spark actions in the Spark UI. */
    public static void describe(SparkSession spark, String group, String description) {
        spark.sparkContext().setJobGroup(group, description, false);
        spark.sparkContext().setJobDescription(description);
    }
}
