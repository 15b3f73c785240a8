package io.fosm.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model card (markdown) logged with every model: what it is, what it was trained on, how well it does. Rendered
 * from the committed template {@code docs/model-card-template.md} (inside the jar as
 * {@code fosm/model-card-template.md}): the prose lives in the template, the values come from here.
 */
public final class ModelCard {
    static final String TEMPLATE = "fosm/model-card-template.md";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z0-9_]+)}}");
    private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->\\n?");

    private ModelCard() {}

    /** Renders the card of one trained model. */
    public static String render(Trainer.TrainedModel m, Training.Result training, Map<String, String> tags) {
        return fill(template(), values(m, training, tags));
    }

    /** The values of the template's placeholders for one model. */
    static Map<String, String> values(Trainer.TrainedModel m, Training.Result training, Map<String, String> tags) {
        Map<String, String> v = new LinkedHashMap<>();
        ClassificationMetrics e = m.metrics();
        v.put("model_name", m.kind().modelName());
        v.put("classes", m.labels().toString());
        v.put("gold_version", String.valueOf(training.goldVersion()));
        v.put("split", training.split().describe());
        v.put("train_rows", String.valueOf(training.trainRows()));
        v.put("train_class_counts", training.trainClassCounts().toString());
        v.put("eval_rows", String.valueOf(training.evalRows()));
        ClassificationMetrics all = training.allWindowMetrics().get(m.kind());
        v.put("ambiguous", training.ambiguousLeftOut() > 0 ? training.ambiguousLeftOut()
                + " in the evaluation range, left out of the metrics below (train.eval_collar)" : "none left out");
        ClassificationMetrics every = training.everyWindow(m);
        v.put("all_windows", "macro-F1 " + four(every.macroF1()) + ", accuracy " + four(every.accuracy())
                + " (" + (all == null ? "every window: no collar" : "ambiguous windows included") + ")");
        v.put("feature_count", String.valueOf(training.features().size()));
        v.put("features", training.features().toString());
        v.put("class_weighting", m.kind().weighted() ? "class weights n / (k * n_class)"
                : "none (the algorithm takes no weights)");
        v.put("accuracy", four(e.accuracy()));
        v.put("macro_f1", four(e.macroF1()));
        v.put("roc_auc", four(e.rocAuc()));
        v.put("pr_auc", four(e.prAuc()));
        StringBuilder rows = new StringBuilder();
        e.perClass().forEach((label, pc) -> rows.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n",
                label, pc.precision(), pc.recall(), pc.f1(), pc.support())));
        v.put("per_class_rows", strip(rows));
        v.put("confusion", e.confusionText());
        var events = training.eventScores().get(m.kind());
        v.put("event_level", events == null ? "no ground-truth event log under labels.path: not evaluated\n"
                : events.scorecard());
        HeldOutEvaluation heldOut = training.heldOut().get(m.kind());
        v.put("heldout", heldOut == null ? "none held out (train.heldout_fibers is empty): the figures above are the"
                + " only ones, on a later time range of the training fibers"
                : "Fibers whose windows never trained (train.heldout_fibers: " + String.join(", ",
                training.heldOutRows().keySet()) + "), each evaluated as a whole; macro-F1 on every labelled window is"
                + " the headline, on clearly labelled windows secondary; event figures with the anomaly detectors"
                + " flagging windows, as scoring does.\n\n" + heldOut.markdown());
        StringBuilder params = new StringBuilder();
        m.params().forEach((k, val) -> params.append("- ").append(k).append(" = ").append(val).append('\n'));
        v.put("parameters", strip(params));
        StringBuilder prov = new StringBuilder();
        tags.forEach((k, val) -> prov.append("- ").append(k).append(": ").append(val).append('\n'));
        v.put("provenance", strip(prov));
        return v;
    }

    /**
     * Replaces every {@code {{name}}} of the template (its HTML comment removed) by its value.
     *
     * @throws IllegalStateException naming a placeholder that has no value
     */
    static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(COMMENT.matcher(template).replaceAll(""));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("Cannot render the model card: " + TEMPLATE + " uses {{" + m.group(1)
                        + "}}, which is none of " + values.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String template() {
        try (InputStream in = ModelCard.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("Cannot render the model card: no " + TEMPLATE
                        + " on the classpath (lib's build copies docs/model-card-template.md there)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + TEMPLATE + ": " + e.getMessage(), e);
        }
    }

    private static String four(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String strip(StringBuilder sb) {
        // the template supplies the line break after a block
        return sb.length() > 0 && sb.charAt(sb.length() - 1) == '\n' ? sb.substring(0, sb.length() - 1) : sb.toString();
    }
}
