package io.fosm.incidents;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.unix_micros;

import io.fosm.incidents.IncidentTracker.Cell;
import io.fosm.incidents.IncidentTracker.Incident;
import io.fosm.models.Scoring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Feeds scored windows (stream_scores of a micro-batch, gold_predictions, or training's scored evaluation range) to
 * an {@link IncidentTracker}, fiber by fiber in window order: the one path from scores to incidents.
 *
 * <p>Cost: two small collects to the driver - the distinct (fiber, window start) pairs, and only the cells whose
 * event score exceeds the threshold (alerts are rare by design) with their class probabilities.
 */
public final class ScoredWindowReplay {
    /** Optional boolean column: the anomaly detectors flagged the window (null or absent: not flagged). */
    public static final String ANOMALOUS = io.fosm.lakehouse.Columns.ANOMALOUS;

    private ScoredWindowReplay() {}

    /** Runs {@code scored} through {@code tracker}; returns every incident state it produced, in order. */
    public static List<Incident> replay(Dataset<Row> scored, IncidentTracker tracker) {
        Map<String, TreeMap<Long, List<Cell>>> byFiber = new TreeMap<>();
        for (Row r : scored.select(col(FIBER_ID), unix_micros(col(WINDOW_START))).distinct().collectAsList()) {
            byFiber.computeIfAbsent(r.getString(0), f -> new TreeMap<>()).put(r.getLong(1), new ArrayList<>());
        }
        if (byFiber.isEmpty()) {
            return List.of();
        }
        boolean hasAnomaly = Arrays.asList(scored.columns()).contains(ANOMALOUS);
        Dataset<Row> cells = scored.filter(col(Scoring.EVENT_SCORE).gt(tracker.settings().threshold()))
                .select(col(FIBER_ID), unix_micros(col(WINDOW_START)), col(CHANNEL), col(Scoring.PROBABILITIES),
                        col(CLASSES), col(MODEL_VERSION).cast("string"),
                        hasAnomaly ? col(ANOMALOUS) : lit(false));
        Map<String, List<String>> classLists = new HashMap<>();
        Map<String, Map<Long, String[]>> meta = new HashMap<>(); // fiber -> start -> classes, version
        for (Row r : cells.collectAsList()) {
            List<Double> p = r.getList(3);
            double[] probs = new double[p.size()];
            for (int k = 0; k < probs.length; k++) {
                probs[k] = p.get(k);
            }
            byFiber.get(r.getString(0)).get(r.getLong(1))
                    .add(new Cell(r.getInt(2), probs, !r.isNullAt(6) && r.getBoolean(6)));
            meta.computeIfAbsent(r.getString(0), f -> new HashMap<>())
                    .putIfAbsent(r.getLong(1), new String[] {r.getString(4), r.getString(5)});
        }
        List<Incident> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Long, List<Cell>>> f : byFiber.entrySet()) {
            Map<Long, String[]> m = meta.getOrDefault(f.getKey(), Map.of());
            String[] current = {"", null};
            for (Map.Entry<Long, List<Cell>> w : f.getValue().entrySet()) {
                String[] here = m.get(w.getKey());
                if (here != null) {
                    current = here;
                }
                List<String> classes = classLists.computeIfAbsent(current[0] == null ? "" : current[0],
                        c -> c.isEmpty() ? List.of() : List.of(c.split(",")));
                out.addAll(tracker.advance(f.getKey(), w.getKey(), classes, BACKGROUND, w.getValue(), current[1]));
            }
        }
        return out;
    }
}
