package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;

import io.fosm.config.FiberSpec;
import io.fosm.dsp.Butterworth;
import io.fosm.dsp.SavitzkyGolay;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The optional per-fiber silver filters: a zero-phase Butterworth band-pass ({@code fiber.<id>.filter.bandpass}) and
 * Savitzky-Golay smoothing ({@code fiber.<id>.filter.savgol}), applied to each chunk on its own in
 * {@code mapPartitions} (no shuffle). Because a chunk is filtered alone, the first and last ~padLength samples of a
 * chunk carry edge effects; keep chunks much longer than the filter's impulse response (1 s chunks and a >= 5 Hz
 * band-pass are fine). Without any configured filter the data passes through untouched.
 */
public final class SilverFilters {
    private SilverFilters() {}

    /** Applies each fiber's filters to the silver rows of that fiber. */
    public static Dataset<Row> apply(Dataset<Row> silver, Map<String, FiberSpec> fibers) {
        boolean any = fibers.values().stream().anyMatch(FiberSpec::hasFilters);
        if (!any) {
            return silver;
        }
        int fiberIdx = silver.schema().fieldIndex(FIBER_ID);
        int samplesIdx = silver.schema().fieldIndex(SAMPLES);
        Map<String, FiberSpec> specs = new HashMap<>(fibers);
        MapPartitionsFunction<Row, Row> fn = rows -> new Iterator<>() {
            private final Map<String, Butterworth> bandpass = new HashMap<>();
            private final Map<String, SavitzkyGolay> savgol = new HashMap<>();

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                FiberSpec spec = specs.get(row.getString(fiberIdx));
                if (spec == null || !spec.hasFilters()) {
                    return row;
                }
                double[] x = toDoubles(Samples.decode((byte[]) row.get(samplesIdx)));
                if (spec.bandpass() != null) {
                    FiberSpec.BandpassSpec bp = spec.bandpass();
                    x = bandpass.computeIfAbsent(spec.fiberId(),
                            id -> Butterworth.bandPass(bp.order(), bp.lowHz(), bp.highHz(), spec.sampleRate())).filtfilt(x);
                }
                if (spec.savgol() != null) {
                    FiberSpec.SavgolSpec sg = spec.savgol();
                    x = savgol.computeIfAbsent(spec.fiberId(), id -> new SavitzkyGolay(sg.window(), sg.polyOrder())).smooth(x);
                }
                Object[] values = new Object[row.length()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = row.get(i);
                }
                float[] out = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    out[i] = (float) x[i];
                }
                values[samplesIdx] = Samples.encode(out);
                return RowFactory.create(values);
            }
        };
        return silver.mapPartitions(fn, Encoders.row(silver.schema()));
    }

    private static double[] toDoubles(float[] samples) {
        double[] x = new double[samples.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = samples[i];
        }
        return x;
    }
}
