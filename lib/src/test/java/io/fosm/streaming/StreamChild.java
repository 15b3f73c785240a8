package io.fosm.streaming;

import io.fosm.config.FosmConfig;
import io.fosm.spark.Sessions;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/** The stream in a JVM of its own, for {@link StreamKillTest}: args are config overrides (key=value). */
public final class StreamChild {
    private StreamChild() {}

    public static void main(String[] args) throws Exception {
        FosmConfig config = FosmConfig.local(args);
        SparkSession spark = Sessions.open(config, "fosm-stream-child");
        spark.conf().set("spark.sql.shuffle.partitions", "2");
        spark.sparkContext().setLogLevel("WARN");
        StreamingQuery query = StreamingScorer.start(spark, config, Trigger.AvailableNow(),
                List.of(s -> System.out.println("BATCH " + s.batchId() + " windows=" + s.windows())));
        query.awaitTermination();
        if (query.exception().isDefined()) {
            query.exception().get().printStackTrace();
            System.exit(1);
        }
        spark.stop();
        System.exit(0);
    }
}
