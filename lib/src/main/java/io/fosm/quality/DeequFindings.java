package io.fosm.quality;

import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.checks.CheckResult;
import com.amazon.deequ.constraints.ConstraintResult;
import com.amazon.deequ.metrics.Metric;
import java.util.List;
import java.util.Locale;
import scala.Option;
import scala.collection.JavaConverters;

/** Turns a Deequ verification result into {@link QualityReport.Finding}s named by the rules the checks declared. */
final class DeequFindings {
    private DeequFindings() {}

    /** Records a rule's readable text (in declaration order) and returns it as the constraint's hint. */
    static Option<String> hint(List<String> rules, String text) {
        rules.add(text);
        return Option.apply(text);
    }

    /** Adds one finding per constraint to {@code findings}; returns whether every check passed. */
    static boolean collect(VerificationResult result, List<String> rules, List<QualityReport.Finding> findings) {
        for (CheckResult checkResult : JavaConverters.asJavaCollection(result.checkResults().values())) {
            int i = 0;
            // results come in the order the constraints were declared, which is the order of the rules
            for (ConstraintResult cr : JavaConverters.asJavaCollection(checkResult.constraintResults())) {
                String measured = cr.metric().isDefined() ? measured(cr.metric().get()) : "n/a";
                String message = cr.message().isDefined() ? cr.message().get() : "";
                String rule = i < rules.size() ? rules.get(i) : cr.constraint().toString();
                findings.add(new QualityReport.Finding(checkResult.check().description(), rule, cr.status().toString(),
                        measured, message));
                i++;
            }
        }
        return result.status().toString().equals("Success");
    }

    private static String measured(Metric<?> metric) {
        scala.util.Try<?> value = metric.value();
        if (value.isFailure()) {
            return "error: " + value.failed().get().getMessage();
        }
        Object v = value.get();
        return v instanceof Number n ? String.format(Locale.ROOT, "%.6g", n.doubleValue()) : String.valueOf(v);
    }
}
