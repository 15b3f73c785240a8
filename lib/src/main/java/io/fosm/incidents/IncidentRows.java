package io.fosm.incidents;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.row_number;

import io.fosm.config.FiberSpec;
import io.fosm.config.FosmConfig;
import io.fosm.dsp.WindowStitcher;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Gold;
import io.fosm.incidents.IncidentTracker.Incident;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;

/** Incidents as rows of the {@code incidents} table (Schemas.INCIDENTS) and back; the tracker's settings from config. */
public final class IncidentRows {
    /** Below this speed (m/s) an incident's direction is "stationary". */
    public static final double STATIONARY_BELOW_MPS = 0.3;

    private IncidentRows() {}

    /** The tracker settings of {@code config} (stream.alert.*, gold's window and hop). */
    public static IncidentTracker.Settings settings(FosmConfig config) {
        // one tracker per stream: its window and hop are the first registered fiber's (equal in seconds for every
        // fiber unless fiber.<id>.window_seconds / hop_seconds say otherwise)
        var features = io.fosm.lakehouse.FiberFeatures.config(config.fibers().values().iterator().next());
        FosmConfig.Stream s = config.stream();
        FosmConfig.Incidents i = config.incidents();
        return new IncidentTracker.Settings(s.alertThreshold(), s.alertK(), i.openN(), i.closeAfter(),
                s.alertGroupChannels(), i.gateChannels(), i.minClassConfidence(), i.unknownAnomalyFraction(),
                WindowStitcher.epochMicros(features.hopSamples(), features.sampleRate()),
                WindowStitcher.epochMicros(features.windowSamples(), features.sampleRate()), i.movingMinChannels(),
                java.util.Set.copyOf(i.stationaryClasses()), i.splitClassShare());
    }

    /** One incident state as a row of Schemas.INCIDENTS; {@code chainageM} of its position, null off the route. */
    public static Row toRow(Incident i, FiberSpec fiber, long batchId, Timestamp now, Double chainageM) {
        List<Timestamp> times = new ArrayList<>(i.trackMicros().length);
        List<Double> channels = new ArrayList<>(i.trackChannels().length);
        for (int k = 0; k < i.trackMicros().length; k++) {
            times.add(Bronze.toTimestamp(i.trackMicros()[k]));
            channels.add(i.trackChannels()[k]);
        }
        double speed = IncidentLocation.metresPerSecond(fiber, i.positionChannel(), i.velocityChannelsPerSecond());
        String direction = Double.isNaN(speed) || Math.abs(speed) < STATIONARY_BELOW_MPS ? "stationary"
                : speed > 0 ? "increasing" : "decreasing";
        return RowFactory.create(i.id(), i.status(), i.fiberId(), i.eventClass(), i.classConfidence(),
                Bronze.toTimestamp(i.startMicros()), Bronze.toTimestamp(i.detectedMicros()),
                Bronze.toTimestamp(i.endMicros()), i.channelMin(), i.channelMax(),
                IncidentLocation.metres(fiber, i.channelMin()), IncidentLocation.metres(fiber, i.channelMax()),
                i.positionChannel(), IncidentLocation.metres(fiber, i.positionChannel()),
                IncidentLocation.metres(fiber, i.detectedPositionChannel()), i.detectedPositionChannel(),
                i.velocityChannelsPerSecond(),
                Double.isNaN(speed) ? 0.0 : Math.abs(speed), direction, i.peakProbability(), i.peakChannel(),
                i.alertWindows(), i.cells(), i.anomalousFraction(), i.modelVersion(), i.updateSeq(), times, channels,
                batchId, now, chainageM);
    }

    /** An incident state back from a row of Schemas.INCIDENTS. */
    public static Incident fromRow(Row r) {
        List<Timestamp> times = r.getList(r.fieldIndex(TRACK_TIMES));
        List<Double> channels = r.getList(r.fieldIndex(TRACK_CHANNELS));
        long[] t = new long[times.size()];
        double[] c = new double[channels.size()];
        for (int k = 0; k < t.length; k++) {
            t[k] = micros(times.get(k));
            c[k] = channels.get(k);
        }
        return new Incident(r.getAs(INCIDENT_ID), r.getAs(STATUS), r.getAs(FIBER_ID), r.getAs(EVENT_CLASS),
                r.getAs(CLASS_CONFIDENCE), micros(r.getAs(START_TIME)), micros(r.getAs(DETECTED_TIME)),
                micros(r.getAs(END_TIME)), r.getAs(CHANNEL_MIN), r.getAs(CHANNEL_MAX), r.getAs(POSITION_CHANNEL),
                r.getAs(DETECTED_CHANNEL), r.getAs(VELOCITY_CHANNELS_PER_S), r.getAs(PEAK_PROBABILITY), r.getAs(PEAK_CHANNEL),
                r.getAs(ALERT_WINDOWS), r.getAs(ALERT_CELLS), r.getAs(ANOMALOUS_FRACTION), r.getAs(MODEL_VERSION),
                r.getAs(UPDATE_SEQ), t, c);
    }

    private static long micros(Timestamp t) {
        return t.getTime() / 1000 * 1_000_000L + (t.getNanos() / 1000) % 1_000_000L;
    }

    /** The current state of every incident: its row with the highest update_seq (then the latest batch). */
    public static Dataset<Row> latest(Dataset<Row> incidents) {
        return incidents.withColumn("_rank", row_number().over(Window.partitionBy(col(INCIDENT_ID))
                        .orderBy(desc(UPDATE_SEQ), desc(BATCH_ID))))
                .filter(col("_rank").equalTo(1)).drop("_rank");
    }

    /** The last state of each incident among {@code updates} (in the order the tracker produced them). */
    public static List<Incident> latest(List<Incident> updates) {
        Map<String, Incident> out = new LinkedHashMap<>();
        for (Incident i : updates) {
            Incident previous = out.get(i.id());
            if (previous == null || i.updateSeq() >= previous.updateSeq()) {
                out.put(i.id(), i);
            }
        }
        return new ArrayList<>(out.values());
    }
}
