package sweep;

import static org.apache.spark.sql.functions.*;

import io.fosm.config.FosmConfig;
import io.fosm.evaluation.EventEvaluation;
import io.fosm.evaluation.EventEvaluations;
import io.fosm.evaluation.EventScores;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.incidents.IncidentTracker;
import io.fosm.lakehouse.Tables;
import java.util.*;
import org.apache.spark.sql.*;

/** One-off: before (old tracker) vs the new tracker under several settings, on gold_predictions of each lakehouse. */
public class Sweep {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        List<String> combos = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("COMBOS",
                "k=3,n=4,m=4,g=2,gate=3,t=0.8").split(";")));
        for (String root : args) {
            FosmConfig cfg0 = FosmConfig.local("lakehouse.root=" + root);
            Dataset<Row> scored = spark.read().format("delta").load(Tables.GOLD_PREDICTIONS.path(cfg0)).cache();
            scored.count();
            List<GroundTruthEvent> events = EventEvaluations.readEvents(spark, root + "/events");
            System.out.println("== " + root + ": " + events.size() + " events");
            System.out.println("before | " + line(old(spark, cfg0, scored, events)));
            for (String c : combos) {
                Map<String, String> kv = new LinkedHashMap<>();
                for (String p : c.split(",")) {
                    String[] x = p.split("=");
                    kv.put(x[0], x[1]);
                }
                FosmConfig cfg = FosmConfig.local("lakehouse.root=" + root, "stream.alert.k=" + kv.get("k"),
                        "stream.alert.n=" + kv.get("n"), "stream.alert.close_after=" + kv.get("m"),
                        "stream.alert.group_channels=" + kv.get("g"), "stream.alert.gate_channels=" + kv.get("gate"),
                        "stream.alert.threshold=" + kv.get("t"), "stream.alert.moving_min_channels=" + kv.getOrDefault("mv", "0"), "stream.alert.split_class_share=" + kv.getOrDefault("sp", "0.9"));
                EventScores s = EventEvaluations.ofScores(cfg, scored, events);
                System.out.println(c + " | " + line(s));
                if (System.getenv("FULL") != null) {
                    System.out.print(s.scorecard());
                }
            }
        }
    }

    static String line(EventScores s) {
        return String.format(Locale.ROOT, "inc %d det %d/%d tp %d F1 %.3f P %.3f R %.3f inc/det %.2f merges %d wrongEv %d wrongInc %d "
                + "FA %d (%.1f/km/h) loc@det %.1f/%.1f loc %.1f/%.1f ttd %.1f/%.1f speedErr %.2f (%d)",
                s.incidents(), s.detected(), s.events(), s.truePositives(), s.eventF1(), s.incidentPrecision(),
                s.eventRecall(), s.incidentsPerDetectedEvent(), s.merges(), s.eventsWrongClass(),
                s.incidentsWrongClass(), s.falseAlarms(), s.falseAlarmsPerKmHour(), s.locationErrorAtDetectionMedianM(),
                s.locationErrorAtDetectionP95M(), s.locationErrorMedianM(), s.locationErrorP95M(),
                s.timeToDetectMedianS(), s.timeToDetectP95S(), s.speedErrorMedianMps(), s.movingEventsDetected());
    }

    /** The old tracker (per class, k consecutive, grouped), as the stream ran it; incidents without tracks. */
    static EventScores old(SparkSession spark, FosmConfig cfg, Dataset<Row> scored, List<GroundTruthEvent> events) {
        old.IncidentTracker t = new old.IncidentTracker(new old.IncidentTracker.Settings(0.8, 3, 2, 500_000, 1_000_000));
        TreeMap<Long, List<old.IncidentTracker.Cell>> byStart = new TreeMap<>();
        for (Row r : scored.select(unix_micros(col("window_start"))).distinct().collectAsList()) {
            byStart.put(r.getLong(0), new ArrayList<>());
        }
        for (Row r : scored.select(unix_micros(col("window_start")), col("channel"), col("classes"),
                col("class_probabilities")).collectAsList()) {
            String[] classes = r.getString(2).split(",");
            List<Double> p = r.getList(3);
            for (int i = 0; i < classes.length; i++) {
                if (!classes[i].equals("background") && p.get(i) > 0.8) {
                    byStart.get(r.getLong(0)).add(new old.IncidentTracker.Cell(r.getInt(1), classes[i], p.get(i)));
                }
            }
        }
        Map<String, IncidentTracker.Incident> latest = new LinkedHashMap<>();
        Map<String, Long> detected = new HashMap<>();
        for (Map.Entry<Long, List<old.IncidentTracker.Cell>> e : byStart.entrySet()) {
            List<old.IncidentTracker.Incident> out = new ArrayList<>(t.advance("demo", e.getKey(), e.getValue(), "1"));
            for (old.IncidentTracker.Incident i : out) {
                detected.putIfAbsent(i.id(), i.endMicros());
                latest.put(i.id(), convert(i, detected.get(i.id())));
            }
        }
        for (old.IncidentTracker.Incident i : t.openIncidents()) {
            latest.put(i.id(), convert(i, detected.get(i.id())));
        }
        List<EventEvaluation.Observed> observed = new ArrayList<>();
        Row r = scored.agg(min(unix_micros(col("window_start"))), max(unix_micros(col("window_end")))).first();
        observed.add(new EventEvaluation.Observed("demo", r.getLong(0), r.getLong(1), 64));
        List<GroundTruthEvent> seen = events.stream().filter(e -> e.startMicros() < r.getLong(1)).toList();
        return EventEvaluation.evaluate(seen, new ArrayList<>(latest.values()), observed, cfg.fibers(),
                EventEvaluations.settings(cfg));
    }

    static IncidentTracker.Incident convert(old.IncidentTracker.Incident i, long detected) {
        double centre = (i.channelMin() + i.channelMax()) / 2.0;
        return new IncidentTracker.Incident(i.id(), i.status(), i.fiberId(), i.eventClass(), 1, i.startMicros(),
                detected, i.endMicros(), i.channelMin(), i.channelMax(), centre, centre, 0, i.peakProbability(),
                i.peakChannel(), i.alertWindows(), i.alertWindows(), 0, "1", 1, new long[0], new double[0]);
    }
}
