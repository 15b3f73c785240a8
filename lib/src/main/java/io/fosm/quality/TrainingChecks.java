package io.fosm.quality;

import static io.fosm.lakehouse.Columns.LABEL;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationSuite;
import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * The Deequ gate in front of training: no missing feature or label, every expected class present with at least
 * {@code minClassCount} windows, and features within their physical ranges (powers and amplitudes non-negative,
 * entropy and flatness in [0, 1], frequencies in [0, Nyquist]). Training refuses to start when a check fails.
 */
public final class TrainingChecks {
    private TrainingChecks() {}

    /** Audits the training rows. */
    public static QualityReport audit(Dataset<Row> train, List<String> features, List<String> classes,
                                      long minClassCount, double sampleRate) {
        List<String> rules = new ArrayList<>();
        Check check = new Check(CheckLevel.Error(), "training set", JavaConverters.asScalaBuffer(
                new ArrayList<com.amazon.deequ.constraints.Constraint>()).toSeq());
        check = check.isComplete(LABEL, DeequFindings.hint(rules, "label is never null"), Option.empty());
        for (String f : features) {
            check = check.isComplete(f, DeequFindings.hint(rules, f + " is never null"), Option.empty());
        }
        for (String c : classes) {
            check = check.satisfies(LABEL + " = '" + c + "'", "class " + c, atLeastRows(train, minClassCount),
                    DeequFindings.hint(rules, "at least " + minClassCount + " windows of class " + c),
                    scala.collection.immutable.List$.MODULE$.empty(), Option.empty());
        }
        for (String f : features) {
            String range = range(f, sampleRate);
            if (range != null) {
                check = check.satisfies(range, "range of " + f, v -> ((Number) v).doubleValue() == 1.0,
                        DeequFindings.hint(rules, f + ": " + range), scala.collection.immutable.List$.MODULE$.empty(), Option.empty());
            }
        }
        VerificationResult result = new VerificationSuite().onData(train).addCheck(check).run();
        List<QualityReport.Finding> findings = new ArrayList<>();
        boolean passed = DeequFindings.collect(result, rules, findings);
        return new QualityReport("training set", passed, List.copyOf(findings));
    }

    /** The class-count check works on a fraction: at least minClassCount of the rows. */
    private static Function1<Object, Object> atLeastRows(Dataset<Row> train, long minClassCount) {
        long n = Math.max(1, train.count());
        double min = (double) minClassCount / n;
        return v -> ((Number) v).doubleValue() >= min - 1e-12;
    }

    /** The physical range of a gold feature as a SQL predicate, or null when it has none worth checking. */
    static String range(String feature, double sampleRate) {
        double nyquist = sampleRate / 2;
        if (feature.equals("spectral_entropy") || feature.equals("spectral_flatness")) {
            return feature + " BETWEEN 0 AND 1.000001";
        }
        if (feature.startsWith("band_power_") || List.of("rms", "peak_to_peak", "std", "total_power", "crest_factor",
                "kurtosis", "zero_crossing_rate", "spectral_bandwidth", "temporal_max_crest_factor",
                "temporal_max_kurtosis", "energy_spread_channels").contains(feature)) {
            return feature + " >= 0";
        }
        if (feature.equals("envelope_coherence")) {
            return feature + " BETWEEN -1.000001 AND 1.000001";
        }
        if (List.of("spectral_centroid", "spectral_rolloff", "dominant_frequency").contains(feature)) {
            return feature + " BETWEEN 0 AND " + nyquist;
        }
        return "NOT isnan(" + feature + ") AND abs(" + feature + ") < double('Infinity')";
    }
}
