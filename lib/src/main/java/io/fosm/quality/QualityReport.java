package io.fosm.quality;

import java.util.List;

/**
 * The outcome of a Deequ audit: whether the batch may be published, and one line per constraint saying what
 * was required and what was measured.
 */
public record QualityReport(String batch, boolean passed, List<Finding> findings) {

    /** One constraint: its rule, the measured value and whether it held. */
    public record Finding(String check, String rule, String status, String measured, String message) {
        public boolean failed() {
            return !"Success".equals(status);
        }
    }

    /** Findings that did not hold. */
    public List<Finding> failures() {
        return findings.stream().filter(Finding::failed).toList();
    }

    /** A readable multi-line report, failures first. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("Deequ audit of ").append(batch).append(": ").append(passed ? "PASSED" : "FAILED").append('\n');
        for (Finding f : findings.stream().sorted((a, b) -> Boolean.compare(b.failed(), a.failed())).toList()) {
            sb.append(f.failed() ? "  FAIL " : "  ok   ").append(f.check()).append(": ").append(f.rule())
                    .append(" (measured ").append(f.measured()).append(')');
            if (f.failed() && !f.message().isEmpty() && !f.message().contains(f.rule())) {
                sb.append(" - ").append(f.message());
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
