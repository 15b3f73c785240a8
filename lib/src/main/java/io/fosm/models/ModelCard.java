package io.fosm.models;

import java.util.Locale;
import java.util.Map;

/** The model card (markdown) logged with every model: what it is, what it was trained on, how well it does. */
public final class ModelCard {
    private ModelCard() {}

    /** Renders the card of one trained model. */
    public static String render(Trainer.TrainedModel m, Training.Result training, Map<String, String> tags) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Model card: ").append(m.kind().modelName()).append("\n\n");
        sb.append("Event classifier for fiber-optic distributed acoustic sensing: one prediction per gold window ")
                .append("(one channel x one window), classes ").append(m.labels()).append(".\n\n");
        sb.append("## Data\n\n");
        sb.append("- source: `gold_features` Delta version ").append(training.goldVersion()).append('\n');
        sb.append("- split by time: ").append(training.split().describe()).append('\n');
        sb.append("- training windows: ").append(training.trainRows()).append(" ").append(training.trainClassCounts())
                .append('\n');
        sb.append("- evaluation windows: ").append(training.evalRows()).append('\n');
        sb.append("- inputs (").append(training.features().size()).append("): ").append(training.features())
                .append(" (power-like features on a log10 scale, all standardised)\n");
        sb.append("- class imbalance: ").append(m.kind().weighted() ? "class weights n / (k * n_class)"
                : "none (the algorithm takes no weights)").append("\n\n");
        sb.append("## Evaluation (held-out later time range)\n\n");
        ClassificationMetrics e = m.metrics();
        sb.append(String.format(Locale.ROOT, "- accuracy %.4f, macro-F1 %.4f (over the classes present), event-vs-"
                + "background ROC-AUC %.4f, PR-AUC %.4f%n%n", e.accuracy(), e.macroF1(), e.rocAuc(), e.prAuc()));
        sb.append("| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
        e.perClass().forEach((label, pc) -> sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n",
                label, pc.precision(), pc.recall(), pc.f1(), pc.support())));
        sb.append("\n```\n").append(e.confusionText()).append("```\n\n");
        sb.append("## Parameters\n\n");
        m.params().forEach((k, v) -> sb.append("- ").append(k).append(" = ").append(v).append('\n'));
        sb.append("\n## Provenance\n\n");
        tags.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\n## Limits\n\n");
        sb.append("- Trained on the windows of one lakehouse; a different interrogator, gain or event mix shifts the ")
                .append("features (watch the drift reports).\n");
        sb.append("- Classes absent from the evaluation range are not part of macro-F1; see their support above.\n");
        sb.append("- Impulsive events (digging, pig) leave quiet windows between strikes; the temporal context ")
                .append("features help but do not remove that ambiguity.\n");
        return sb.toString();
    }
}
