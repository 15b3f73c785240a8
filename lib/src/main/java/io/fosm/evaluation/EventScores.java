package io.fosm.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The event-level figures of one evaluation ({@link EventEvaluation} says how each is counted). Times in seconds,
 * locations in metres along the fiber; NaN where there is nothing to measure (no detected event, no moving event).
 */
public record EventScores(int events, int incidents, int detected, int truePositives, int falsePositives,
                          int falseNegatives, double eventRecall, double incidentPrecision, double eventF1,
                          double incidentsPerDetectedEvent, int merges, int eventsWrongClass,
                          int incidentsWrongClass, double locationErrorAtDetectionMedianM,
                          double locationErrorAtDetectionP95M, double locationErrorMedianM, double locationErrorP95M,
                          double timeToDetectMedianS, double timeToDetectP95S, double speedErrorMedianMps,
                          int movingEventsDetected, int falseAlarms, double eventFreeKmHours,
                          double falseAlarmsPerKmHour, Map<String, Double> recallByClass,
                          Map<String, Map<String, Long>> confusion) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The scalar figures by metric name ({@code event_f1}, ...), as logged to MLflow and written to Delta. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("events", (double) events);
        m.put("incidents", (double) incidents);
        m.put("events_detected", (double) detected);
        m.put("event_true_positives", (double) truePositives);
        m.put("event_recall", eventRecall);
        m.put("incident_precision", incidentPrecision);
        m.put("event_f1", eventF1);
        m.put("incidents_per_detected_event", incidentsPerDetectedEvent);
        m.put("incident_merges", (double) merges);
        m.put("events_wrong_class", (double) eventsWrongClass);
        m.put("incidents_wrong_class", (double) incidentsWrongClass);
        m.put("location_error_at_detection_median_m", locationErrorAtDetectionMedianM);
        m.put("location_error_at_detection_p95_m", locationErrorAtDetectionP95M);
        m.put("location_error_median_m", locationErrorMedianM);
        m.put("location_error_p95_m", locationErrorP95M);
        m.put("time_to_detect_median_s", timeToDetectMedianS);
        m.put("time_to_detect_p95_s", timeToDetectP95S);
        m.put("speed_error_median_mps", speedErrorMedianMps);
        m.put("moving_events_detected", (double) movingEventsDetected);
        m.put("false_alarms", (double) falseAlarms);
        m.put("event_free_km_hours", eventFreeKmHours);
        m.put("false_alarms_per_km_hour", falseAlarmsPerKmHour);
        recallByClass.forEach((k, v) -> m.put("event_recall_" + k, v));
        return m;
    }

    /** Every figure plus the confusion matrix as JSON (NaN as null). */
    public String toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        metrics().forEach((k, v) -> out.put(k, Double.isNaN(v) ? null : v));
        out.put("confusion", confusion);
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the event scores as JSON: " + e.getMessage(), e);
        }
    }

    /** The operator's scorecard: a few lines of plain text. */
    public String scorecard() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "events %d, detected %d, with the right class %d (recall %.2f)%n", events,
                detected, truePositives, eventRecall));
        b.append(String.format(Locale.ROOT, "incidents %d, precision %.2f, event F1 %.2f, incidents per detected event "
                + "%.2f, merges %d%n", incidents, incidentPrecision, eventF1, incidentsPerDetectedEvent, merges));
        b.append(String.format(Locale.ROOT, "wrong class: %d detected events, %d incidents; false alarms %d (%.1f per km"
                + " per hour)%n", eventsWrongClass, incidentsWrongClass, falseAlarms, falseAlarmsPerKmHour));
        b.append(String.format(Locale.ROOT, "localisation error: at detection median %.1f m, p95 %.1f m; over the "
                + "incident median %.1f m, p95 %.1f m%n", locationErrorAtDetectionMedianM,
                locationErrorAtDetectionP95M, locationErrorMedianM, locationErrorP95M));
        b.append(String.format(Locale.ROOT, "time to detect: median %.1f s, p95 %.1f s; speed error of %d moving "
                + "events: median %.2f m/s%n", timeToDetectMedianS, timeToDetectP95S, movingEventsDetected,
                speedErrorMedianMps));
        b.append("confusion (true -> first detecting incident's class): ").append(confusion).append('\n');
        return b.toString();
    }
}
