package io.fosm.quality;

import static io.fosm.lakehouse.Columns.*;

import com.amazon.deequ.VerificationRunBuilder;
import com.amazon.deequ.VerificationSuite;
import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckLevel;
import com.amazon.deequ.repository.ResultKey;
import com.amazon.deequ.repository.fs.FileSystemMetricsRepository;
import io.fosm.config.FosmConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * The Deequ gate of the silver write-audit-publish step. It says what must hold of a staged batch, declaratively:
 * the batch is not empty, at most {@code silver.max_quarantine_fraction} of its rows were quarantined, and the rows
 * to publish have complete keys, unique keys, channels and sample rates in range. Every run's metrics go to the
 * lakehouse's Deequ metrics repository, tagged with the batch, so quality can be tracked over time.
 *
 * <p>Cost: two passes over the staged batch (one per suite) plus one aggregation on the key for uniqueness.
 */
public final class SilverChecks {
    private SilverChecks() {}

    /** Audits a staged batch (valid rows have a null {@code reason}) and stores the metrics. */
    public static QualityReport audit(SparkSession spark, Dataset<Row> staged, FosmConfig config, String batchTag,
                                                                        String metricsRepositoryPath) {
        double maxQuarantine = config.silver().maxQuarantineFraction();
        // channels run from each fiber's first_channel (PRODML's StartLocusIndex may be negative) over its channels
        int minChannel = config.fibers().values().stream().mapToInt(f -> f.firstChannel()).min().orElse(0);
        int maxChannels = config.fibers().values().stream().mapToInt(f -> f.lastChannel() + 1).max().orElse(1);

        List<String> batchRules = new ArrayList<>();
        Check batch = new Check(CheckLevel.Error(), "batch", emptyConstraints())
                .hasSize(atLeast(1), DeequFindings.hint(batchRules, "batch has at least one row"))
                .satisfies(REASON + " IS NULL", "valid fraction", atLeast(1.0 - maxQuarantine),
                        DeequFindings.hint(batchRules, "at least " + pct(1.0 - maxQuarantine)
                                + " of rows pass validation (silver.max_quarantine_fraction = " + maxQuarantine + ")"),
                        scala.collection.immutable.List$.MODULE$.empty(), Option.empty());

        List<String> publishedRules = new ArrayList<>();
        Check published = new Check(CheckLevel.Error(), "published rows", emptyConstraints())
                .isComplete(FIBER_ID, DeequFindings.hint(publishedRules, "fiber_id is never null"), Option.empty())
                .isComplete(CHANNEL, DeequFindings.hint(publishedRules, "channel is never null"), Option.empty())
                .isComplete(CHUNK_START, DeequFindings.hint(publishedRules, "chunk_start is never null"), Option.empty())
                // Deequ's completeness does not take array columns: say it as a predicate
                // sample_count is size(samples) of the staged row (-1 for null), so this reads no sample array
                .satisfies(SAMPLE_COUNT + " > 0", "samples present", exactly(1.0),
                        DeequFindings.hint(publishedRules, "every row has samples"), scala.collection.immutable.List$.MODULE$.empty(),
                        Option.empty())
                .hasUniqueness(JavaConverters.asScalaBuffer(List.of(FIBER_ID, CHANNEL, CHUNK_START)).toSeq(), exactly(1.0),
                        DeequFindings.hint(publishedRules, "(fiber_id, channel, chunk_start) is unique"))
                .hasMin(CHANNEL, atLeast(minChannel), DeequFindings.hint(publishedRules, "channel >= " + minChannel), Option.empty())
                .hasMax(CHANNEL, atMost(maxChannels - 1), DeequFindings.hint(publishedRules, "channel < " + maxChannels), Option.empty())
                .hasMin(SAMPLE_RATE, above(0), DeequFindings.hint(publishedRules, "sample_rate > 0"), Option.empty());

        FileSystemMetricsRepository repository = new FileSystemMetricsRepository(spark, metricsRepositoryPath);
        long now = System.currentTimeMillis();
        List<QualityReport.Finding> findings = new ArrayList<>();
        boolean passed = run(staged, batch, batchRules, repository, key(now, batchTag, "staged"), findings);
        Dataset<Row> valid = staged.filter(staged.col(REASON).isNull());
        passed &= run(valid, published, publishedRules, repository, key(now, batchTag, "published"), findings);
        return new QualityReport(batchTag, passed, List.copyOf(findings));
    }

    private static boolean run(Dataset<Row> data, Check check, List<String> rules,
                               FileSystemMetricsRepository repository, ResultKey key,
                               List<QualityReport.Finding> findings) {
        VerificationRunBuilder builder = new VerificationSuite().onData(data).addCheck(check);
        return DeequFindings.collect(builder.useRepository(repository).saveOrAppendResult(key).run(), rules, findings);
    }

    private static ResultKey key(long time, String batchTag, String stage) {
        return new ResultKey(time, JavaConverters.mapAsScalaMap(Map.of("table", "silver", "batch", batchTag,
                "stage", stage)).toMap(scala.Predef$.MODULE$.$conforms()));
    }

    private static scala.collection.Seq<com.amazon.deequ.constraints.Constraint> emptyConstraints() {
        return JavaConverters.asScalaBuffer(new ArrayList<com.amazon.deequ.constraints.Constraint>()).toSeq();
    }

    private static String pct(double fraction) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    private static Function1<Object, Object> atLeast(double min) {
        return v -> ((Number) v).doubleValue() >= min;
    }

    private static Function1<Object, Object> atMost(double max) {
        return v -> ((Number) v).doubleValue() <= max;
    }

    private static Function1<Object, Object> above(double min) {
        return v -> ((Number) v).doubleValue() > min;
    }

    private static Function1<Object, Object> exactly(double expected) {
        return v -> ((Number) v).doubleValue() == expected;
    }
}
