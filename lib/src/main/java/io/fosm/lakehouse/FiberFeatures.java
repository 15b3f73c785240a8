package io.fosm.lakehouse;

import io.fosm.config.FiberSpec;
import io.fosm.config.FosmConfig;
import io.fosm.dsp.Band;
import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gold's feature settings per fiber, the one place gold and the stream take them from: fibers of one lakehouse may
 * sample at different rates, so each fiber's windows (seconds -> samples at its own rate) and power bands (its own,
 * all at or below its Nyquist frequency, checked by {@link FosmConfig}) are its own.
 *
 * <p>The gold table holds the union of the fibers' feature columns: the rate-free DSP features every fiber has, and
 * each band any fiber has (null in the rows of fibers without it). Models use the {@link #modelColumns shared
 * columns}, so a model scores every fiber of the lakehouse. With all fibers alike (the default) both are the
 * fiber's own feature names, as before.
 */
public final class FiberFeatures implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, FeatureConfig> byFiber;
    private final String[] columns;
    private final String[] modelColumns;
    private final Map<String, int[]> layouts;

    private FiberFeatures(Map<String, FeatureConfig> byFiber) {
        this.byFiber = byFiber;
        Set<String> union = new LinkedHashSet<>();
        for (FeatureConfig f : byFiber.values()) {
            union.addAll(Arrays.asList(FeatureExtractor.featureNames(f)));
        }
        this.columns = union.toArray(new String[0]);
        List<String> shared = new ArrayList<>();
        for (String c : columns) {
            if (byFiber.values().stream().allMatch(f -> Arrays.asList(FeatureExtractor.featureNames(f)).contains(c))) {
                shared.add(c);
            }
        }
        this.modelColumns = shared.toArray(new String[0]);
        this.layouts = new LinkedHashMap<>();
        byFiber.forEach((id, f) -> {
            List<String> own = Arrays.asList(FeatureExtractor.featureNames(f));
            int[] at = new int[columns.length];
            for (int i = 0; i < columns.length; i++) {
                at[i] = own.indexOf(columns[i]);
            }
            layouts.put(id, at);
        });
    }

    /** The settings of every registered fiber. */
    public static FiberFeatures of(FosmConfig config) {
        Map<String, FeatureConfig> out = new LinkedHashMap<>();
        for (FiberSpec f : config.fibers().values()) {
            out.put(f.fiberId(), config(f));
        }
        return new FiberFeatures(out);
    }

    /** One fiber's DSP settings: its rate, its window and hop in samples at that rate, its bands. */
    public static FeatureConfig config(FiberSpec fiber) {
        List<Band> bands = new ArrayList<>();
        for (double[] b : fiber.bands()) {
            bands.add(new Band(b[0], b[1]));
        }
        return FeatureConfig.of(fiber.sampleRate(), fiber.windowSeconds(), fiber.hopSeconds(), bands);
    }

    /** The settings of a registered fiber; an error naming the fiber when it is not registered. */
    public FeatureConfig forFiber(String fiberId) {
        FeatureConfig f = byFiber.get(fiberId);
        if (f == null) {
            throw new IllegalArgumentException("Cannot compute features of fiber '" + fiberId + "': it is not in the"
                    + " fiber registry (config key fibers: " + String.join(",", byFiber.keySet()) + ")");
        }
        return f;
    }

    /** Whether the fiber is registered. */
    public boolean has(String fiberId) {
        return byFiber.containsKey(fiberId);
    }

    /** The DSP feature columns of the gold table: the union over the fibers, in a stable order. */
    public String[] columns() {
        return columns.clone();
    }

    /** The DSP feature columns every fiber has: what models use. */
    public String[] modelColumns() {
        return modelColumns.clone();
    }

    /** Whether a column is present in the rows of every fiber (non-nullable in gold). */
    public boolean shared(String column) {
        return Arrays.asList(modelColumns).contains(column);
    }

    /**
     * A fiber's features in the table's column layout: {@code out[i]} is the fiber's value of {@link #columns}[i], or
     * null when the fiber has no such band.
     */
    public Object[] toColumns(String fiberId, double[] fiberFeatures) {
        int[] at = layouts.get(fiberId);
        Object[] out = new Object[at.length];
        for (int i = 0; i < at.length; i++) {
            out[i] = at[i] < 0 ? null : fiberFeatures[at[i]];
        }
        return out;
    }
}
