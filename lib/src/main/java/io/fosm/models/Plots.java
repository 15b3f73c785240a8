package io.fosm.models;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** PNG plots for MLflow, drawn with Java2D (headless; no plotting library on the cluster). */
public final class Plots {
    private Plots() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** A confusion matrix: rows are true classes, columns predicted, cells shaded by the row-normalised rate. */
    public static void confusionMatrix(ClassificationMetrics m, String title, Path png) throws IOException {
        List<String> labels = m.labels();
        int k = labels.size();
        int cell = 70;
        int left = 110;
        int top = 60;
        BufferedImage img = new BufferedImage(left + k * cell + 20, top + k * cell + 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("predicted ->", left, top - 25);
        for (int i = 0; i < k; i++) {
            long rowSum = 0;
            for (long v : m.confusion()[i]) {
                rowSum += v;
            }
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), 8, top + i * cell + cell / 2 + 4);
            g.drawString(labels.get(i), left + i * cell + 4, top - 8);
            for (int j = 0; j < k; j++) {
                long v = m.confusion()[i][j];
                double rate = rowSum == 0 ? 0 : (double) v / rowSum;
                int shade = (int) (255 - 200 * rate);
                g.setColor(i == j ? new Color(shade, 255, shade) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell - 2, cell - 2);
                g.setColor(Color.BLACK);
                g.drawString(String.valueOf(v), left + j * cell + 8, top + i * cell + cell / 2);
                g.drawString(String.format(Locale.ROOT, "%.0f%%", 100 * rate), left + j * cell + 8,
                        top + i * cell + cell / 2 + 14);
            }
        }
        g.drawString(String.format(Locale.ROOT, "accuracy %.3f   macro-F1 %.3f", m.accuracy(), m.macroF1()), left,
                top + k * cell + 30);
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    /** Horizontal bars of feature importance, largest first. */
    public static void featureImportance(Map<String, Double> importance, String title, Path png) throws IOException {
        List<Map.Entry<String, Double>> entries = new ArrayList<>(importance.entrySet());
        entries.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        double max = entries.stream().mapToDouble(Map.Entry::getValue).max().orElse(1.0);
        int row = 22;
        int left = 220;
        int width = 400;
        BufferedImage img = new BufferedImage(left + width + 80, 50 + Math.max(1, entries.size()) * row,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < entries.size(); i++) {
            Map.Entry<String, Double> e = entries.get(i);
            int y = 40 + i * row;
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), 10, y + 13);
            int w = max <= 0 ? 0 : (int) (width * e.getValue() / max);
            g.setColor(new Color(70, 110, 180));
            g.fillRect(left, y, Math.max(1, w), row - 6);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.3g", e.getValue()), left + w + 5, y + 13);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        return g;
    }
}
