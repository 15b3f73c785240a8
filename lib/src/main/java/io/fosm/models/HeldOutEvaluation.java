package io.fosm.models;

import io.fosm.evaluation.EventScores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One model's figures on the held-out fibers of a training ({@code train.heldout_fibers}): fibers whose gold rows
 * never trained, each evaluated as a whole, and the spread of each figure across them. Pure: the Spark side is
 * {@link Training}; this holds the numbers and names them for MLflow and the model card.
 *
 * <p>MLflow metrics: {@code heldout.<fiber>.<figure>} per fiber and {@code heldout_<figure>_mean/_min/_max/_std}
 * across fibers (std only with two fibers or more; a figure with nothing to measure, NaN, is left out of both).
 */
public record HeldOutEvaluation(List<Fiber> fibers) {

    /** The figures whose spread across fibers is reported, in the order the model card shows them. */
    public static final List<String> SPREAD = List.of("window_macro_f1", "window_macro_f1_clear_windows",
            "window_accuracy", "event_f1", "event_recall", "incident_precision", "incidents_per_detected_event",
            "location_error_at_detection_p95_m", "time_to_detect_median_s", "false_alarms_per_km_hour");

    public HeldOutEvaluation {
        fibers = List.copyOf(fibers);
    }

    /**
     * One held-out fiber: its labelled windows ({@code rows}, of which {@code clearRows} clearly labelled), the
     * window metrics on every labelled window (the headline) and on the clearly labelled ones, and the event-level
     * figures (null when the labels path has no event log).
     */
    public record Fiber(String fiberId, long rows, long clearRows, ClassificationMetrics everyWindow,
                        ClassificationMetrics clearWindows, EventScores events) {

        /** The fiber's figures by name: the window ones, then every event-level one. */
        public Map<String, Double> figures() {
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("window_macro_f1", everyWindow.macroF1());
            f.put("window_macro_f1_clear_windows", clearWindows.macroF1());
            f.put("window_accuracy", everyWindow.accuracy());
            f.put("windows", (double) rows);
            if (events != null) {
                f.putAll(events.metrics());
            }
            return f;
        }
    }

    /** Mean, min, max and sample standard deviation (NaN with fewer than two values) of one figure over fibers. */
    public record Spread(int n, double mean, double min, double max, double std) {
        static Spread of(List<Double> values) {
            List<Double> ok = values.stream().filter(v -> v != null && !v.isNaN()).toList();
            if (ok.isEmpty()) {
                return new Spread(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double mean = ok.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double ss = ok.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            return new Spread(ok.size(), mean, ok.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    ok.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                    ok.size() < 2 ? Double.NaN : Math.sqrt(ss / (ok.size() - 1)));
        }
    }

    /** The spread of {@code figure} (a key of {@link Fiber#figures()}) across the held-out fibers. */
    public Spread spread(String figure) {
        List<Double> values = new ArrayList<>();
        for (Fiber f : fibers) {
            values.add(f.figures().get(figure));
        }
        return Spread.of(values);
    }

    /** The MLflow metrics: per fiber and the spread, NaN left out. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Fiber f : fibers) {
            f.figures().forEach((k, v) -> {
                if (v != null && !v.isNaN()) {
                    m.put("heldout." + f.fiberId() + "." + k, v);
                }
            });
        }
        for (String figure : SPREAD) {
            Spread s = spread(figure);
            put(m, "heldout_" + figure + "_mean", s.mean());
            put(m, "heldout_" + figure + "_min", s.min());
            put(m, "heldout_" + figure + "_max", s.max());
            put(m, "heldout_" + figure + "_std", s.std());
        }
        return m;
    }

    private static void put(Map<String, Double> m, String key, double v) {
        if (!Double.isNaN(v)) {
            m.put(key, v);
        }
    }

    /** The model card's section: a markdown table with one row per fiber, then the spread of each figure. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| fiber | windows | macro-F1 every window | macro-F1 clear windows | event F1 | event recall"
                + " | incident precision | incidents per detected event | location error p95 at detection (m)"
                + " | time to detect median (s) |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Fiber f : fibers) {
            Map<String, Double> v = f.figures();
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    f.fiberId(), f.rows(), num(v.get("window_macro_f1")),
                    num(v.get("window_macro_f1_clear_windows")), num(v.get("event_f1")), num(v.get("event_recall")),
                    num(v.get("incident_precision")), num(v.get("incidents_per_detected_event")),
                    num(v.get("location_error_at_detection_p95_m")), num(v.get("time_to_detect_median_s"))));
        }
        out.append("\nSpread across the ").append(fibers.size()).append(" held-out fiber")
                .append(fibers.size() == 1 ? "" : "s").append(" (std: sample standard deviation, '-' with one fiber):\n\n")
                .append("| figure | mean | min | max | std |\n|---|---|---|---|---|\n");
        for (String figure : SPREAD) {
            Spread s = spread(figure);
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", figure, num(s.mean()),
                    num(s.min()), num(s.max()), num(s.std())));
        }
        return out.substring(0, out.length() - 1);
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
