package io.fosm.models;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The promotion rule: a challenger becomes champion only if its {@code metric} beats the champion's on the same
 * evaluation range by more than {@code margin}, and no class's F1 drops by more than {@code maxClassRegression}.
 * Pure: it sees only the two metric maps, so the rule is tested without any model.
 */
public record PromotionGate(String metric, double margin, double maxClassRegression) {

    public PromotionGate {
        if (!(margin >= 0)) {
            throw new IllegalArgumentException("promotion margin must be >= 0, cannot be: " + margin);
        }
        if (!(maxClassRegression >= 0)) {
            throw new IllegalArgumentException("max class regression must be >= 0, cannot be: " + maxClassRegression);
        }
    }

    /** The outcome, with the reason in words and the per-class F1 changes (challenger minus champion). */
    public record Decision(boolean promote, String reason, double challengerScore, double championScore,
                           Map<String, Double> classF1Change) {}

    /** Decides on metric maps as written by {@link ClassificationMetrics#asMetrics()}. */
    public Decision decide(Map<String, Double> challenger, Optional<Map<String, Double>> champion) {
        Double challengerScore = challenger.get(metric);
        if (challengerScore == null || challengerScore.isNaN()) {
            return new Decision(false, "the challenger has no " + metric + " metric", Double.NaN, Double.NaN, Map.of());
        }
        if (champion.isEmpty()) {
            return new Decision(true, "there is no champion yet", challengerScore, Double.NaN, Map.of());
        }
        Map<String, Double> champ = champion.get();
        Double championScore = champ.get(metric);
        if (championScore == null || championScore.isNaN()) {
            return new Decision(true, "the champion has no " + metric + " metric", challengerScore, Double.NaN, Map.of());
        }
        Map<String, Double> change = new LinkedHashMap<>();
        String worstClass = null;
        double worst = 0;
        for (Map.Entry<String, Double> e : champ.entrySet()) {
            if (e.getKey().startsWith("f1_") && challenger.containsKey(e.getKey())) {
                double delta = challenger.get(e.getKey()) - e.getValue();
                String cls = e.getKey().substring(3);
                change.put(cls, delta);
                if (-delta > worst) {
                    worst = -delta;
                    worstClass = cls;
                }
            }
        }
        if (!(challengerScore > championScore + margin)) {
            return new Decision(false, String.format(Locale.ROOT,
                    "%s %.4f does not beat the champion's %.4f by more than the margin %.4f", metric, challengerScore,
                    championScore, margin), challengerScore, championScore, change);
        }
        if (worstClass != null && worst > maxClassRegression) {
            return new Decision(false, String.format(Locale.ROOT,
                    "class %s regresses by %.4f F1 (%.4f -> %.4f), more than the allowed %.4f", worstClass, worst,
                    champ.get("f1_" + worstClass), challenger.get("f1_" + worstClass), maxClassRegression),
                    challengerScore, championScore, change);
        }
        return new Decision(true, String.format(Locale.ROOT, "%s %.4f beats the champion's %.4f by more than %.4f"
                + " and no class regresses by more than %.4f", metric, challengerScore, championScore, margin,
                maxClassRegression), challengerScore, championScore, change);
    }
}
