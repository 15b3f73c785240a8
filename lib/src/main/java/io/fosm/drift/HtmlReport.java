package io.fosm.drift;

import io.fosm.config.FosmConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The self-contained HTML drift report of one window: no scripts, no external files; the plots are inline SVG
 * (reference vs current fraction per quantile bin for every column, the drift of this reference over time) and the
 * tables list the flagged columns first.
 */
final class HtmlReport {
    private HtmlReport() {}

    /** One past window of the same reference: drifted or not, its largest feature PSI and flagged feature fraction. */
    record WindowPoint(Instant start, boolean drifted, double maxPsi, double flaggedFraction) {}

    static String render(DriftReport r, ReferenceProfile ref, List<WindowPoint> history, FosmConfig.Drift d) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fosm drift report ")
                .append(esc(r.reportStart().toString())).append("</title>\n<style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}")
                .append("td:first-child,td:nth-child(2){text-align:left}.flag{background:#fdd}")
                .append(".ok{color:#070}.bad{color:#b00;font-weight:bold}.plots{display:flex;flex-wrap:wrap;gap:8px}")
                .append("</style></head><body>\n");
        h.append("<h1>Drift report</h1>\n<p>Report window <b>").append(esc(r.reportStart().toString()))
                .append("</b> .. <b>").append(esc(r.reportEnd().toString())).append("</b> against reference <code>")
                .append(esc(r.reference())).append("</code> (profiled ").append(esc(ref.createdAt().toString()))
                .append(").</p>\n<p>Verdict: ").append(r.drifted() ? "<span class=\"bad\">DRIFTED</span>"
                        : "<span class=\"ok\">no drift</span>")
                .append(String.format(Locale.ROOT, " &mdash; %.0f%% of the features flagged (window threshold %.0f%%); ",
                        100 * r.flaggedFeatureFraction(), 100 * d.featureFraction()))
                .append(r.consecutiveDrifted()).append(" drifted window(s) in a row; retraining ")
                .append(r.retrain() ? "<span class=\"bad\">recommended</span>" : "not recommended")
                .append(" (after ").append(d.retrainAfter()).append(").</p>\n");
        h.append(String.format(Locale.ROOT, "<p>A column is flagged when PSI &ge; %s, or Jensen-Shannon distance &ge; %s,"
                + " or the KS p-value &lt; %s with a KS statistic &ge; %s; a quality measure when it exceeds the"
                + " reference by more than %s (invalid rate) or %s (dead-channel fraction).</p>\n",
                d.psiThreshold(), d.jsThreshold(), d.ksPvalue(), d.ksStatistic(), d.maxInvalidRateIncrease(),
                d.maxDeadChannelIncrease()));

        List<ColumnDrift> flagged = r.columns().stream().filter(ColumnDrift::flagged).toList();
        h.append("<h2>Flagged (").append(flagged.size()).append(")</h2>\n");
        if (flagged.isEmpty()) {
            h.append("<p>Nothing flagged.</p>\n");
        } else {
            table(h, flagged);
        }
        h.append("<h2>Drift over time</h2>\n<div class=\"plots\">");
        h.append(timeline(history, "flagged feature fraction", WindowPoint::flaggedFraction, d.featureFraction(), 1.0));
        h.append(timeline(history, "largest feature PSI", WindowPoint::maxPsi, d.psiThreshold(), Double.NaN));
        h.append("</div>\n<h2>Reference vs current distribution</h2>\n<p>Bars: the fraction of values per quantile bin"
                + " of the reference (grey: reference, red/blue: current window, red when flagged).</p>\n"
                + "<div class=\"plots\">");
        List<ColumnDrift> numeric = new ArrayList<>(r.columns().stream().filter(c -> c.kind() != DriftKind.QUALITY)
                .toList());
        numeric.sort(Comparator.comparing((ColumnDrift c) -> !c.flagged()).thenComparing(c -> -value(c.psi())));
        for (ColumnDrift c : numeric) {
            h.append(bins(c));
        }
        h.append("</div>\n<h2>All columns</h2>\n");
        List<ColumnDrift> all = new ArrayList<>(r.columns());
        all.sort(Comparator.comparing((ColumnDrift c) -> !c.flagged()).thenComparing(c -> c.kind().ordinal()));
        table(h, all);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static double value(Double v) {
        return v == null ? 0 : v;
    }

    private static void table(StringBuilder h, List<ColumnDrift> rows) {
        h.append("<table><tr><th>kind</th><th>column</th><th>values</th><th>invalid</th><th>PSI</th><th>KS</th>"
                + "<th>KS p-value</th><th>JS distance</th><th>Wasserstein</th><th>value</th><th>reference</th>"
                + "<th>flagged</th></tr>\n");
        for (ColumnDrift c : rows) {
            h.append(c.flagged() ? "<tr class=\"flag\">" : "<tr>").append("<td>").append(c.kind().label())
                    .append("</td><td>").append(esc(c.name())).append("</td><td>").append(c.count())
                    .append("</td><td>").append(c.invalidCount()).append("</td>");
            for (Double v : new Double[] {c.psi(), c.ksStatistic(), c.ksPvalue(), c.jsDistance(), c.wasserstein(),
                    c.value(), c.referenceValue()}) {
                h.append("<td>").append(v == null ? "" : String.format(Locale.ROOT, "%.4g", v)).append("</td>");
            }
            h.append("<td>").append(c.flagged() ? "yes" : "").append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    /** Grouped bars: reference and current fraction per bin. */
    private static String bins(ColumnDrift c) {
        int w = 300;
        int ht = 170;
        int left = 30;
        int top = 34;
        int plotH = 100;
        int n = c.referenceFractions().length;
        double max = 1e-9;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.max(c.referenceFractions()[i], c.currentFractions()[i]));
        }
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(ht)
                .append("\" role=\"img\"><title>").append(esc(c.name())).append("</title>");
        s.append("<rect x=\"0\" y=\"0\" width=\"").append(w).append("\" height=\"").append(ht)
                .append("\" fill=\"white\" stroke=\"#ccc\"/>");
        s.append("<text x=\"6\" y=\"14\" font-size=\"12\" font-weight=\"bold\">").append(esc(c.name()))
                .append(c.kind() == DriftKind.PREDICTION ? " (prediction)" : "").append("</text>");
        s.append("<text x=\"6\" y=\"27\" font-size=\"10\">").append(c.psi() == null ? "no finite values"
                : String.format(Locale.ROOT, "PSI %.3f  KS %.3f (p %.2g)  JS %.3f", c.psi(), c.ksStatistic(),
                        c.ksPvalue(), c.jsDistance())).append("</text>");
        double slot = (double) (w - left - 10) / Math.max(n, 1);
        for (int i = 0; i < n; i++) {
            double x = left + i * slot;
            double rh = plotH * c.referenceFractions()[i] / max;
            double ch = plotH * c.currentFractions()[i] / max;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#999\"/>",
                    x + 1, top + plotH - rh, slot / 2 - 1, rh));
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                    x + slot / 2, top + plotH - ch, slot / 2 - 1, ch, c.flagged() ? "#d33" : "#36c"));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left,
                top + plotH, w - 10, top + plotH));
        s.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" font-size=\"9\">%.2f</text>", top + 8, max));
        if (c.edges().length > 0) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\">bins split at %s .. %s</text>",
                    left, top + plotH + 14, num(c.edges()[0]), num(c.edges()[c.edges().length - 1])));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\">n=%d, invalid=%d</text>", left,
                top + plotH + 27, c.count(), c.invalidCount()));
        return s.append("</svg>").toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String timeline(List<WindowPoint> points, String title,
                                   java.util.function.ToDoubleFunction<WindowPoint> y, double threshold,
                                   double fixedMax) {
        int w = 460;
        int ht = 200;
        int left = 40;
        int top = 24;
        int plotW = w - left - 12;
        int plotH = 140;
        double max = Double.isNaN(fixedMax) ? threshold * 1.5 : fixedMax;
        for (WindowPoint p : points) {
            max = Math.max(max, y.applyAsDouble(p));
        }
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(ht)
                .append("\" role=\"img\"><title>").append(esc(title)).append("</title>");
        s.append("<rect x=\"0\" y=\"0\" width=\"").append(w).append("\" height=\"").append(ht)
                .append("\" fill=\"white\" stroke=\"#ccc\"/>");
        s.append("<text x=\"6\" y=\"15\" font-size=\"12\" font-weight=\"bold\">").append(esc(title))
                .append(" per report window</text>");
        double ty = top + plotH - plotH * threshold / max;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d33\" "
                + "stroke-dasharray=\"4 3\"/>", left, ty, left + plotW, ty));
        s.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%.1f\" font-size=\"9\">%.2f</text>", ty + 3, threshold));
        s.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" font-size=\"9\">%.2f</text>", top + 8, max));
        int n = points.size();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < n; i++) {
            WindowPoint p = points.get(i);
            double x = left + (n == 1 ? plotW / 2.0 : (double) plotW * i / (n - 1));
            double yy = top + plotH - plotH * y.applyAsDouble(p) / max;
            line.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, yy));
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x, yy,
                    p.drifted() ? "#d33" : "#36c"));
        }
        s.append("<polyline fill=\"none\" stroke=\"#36c\" points=\"").append(line).append("\"/>");
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left,
                top + plotH, left + plotW, top + plotH));
        if (n > 0) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\">%s</text>", left,
                    top + plotH + 14, esc(points.get(0).start().toString())));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"end\">%s</text>",
                    left + plotW, top + plotH + 28, esc(points.get(n - 1).start().toString())));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\">%d window(s); red: drifted</text>",
                left + 150, top + plotH + 14, n));
        return s.append("</svg>").toString();
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
