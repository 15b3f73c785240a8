package io.fosm.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * A classic Prometheus histogram without labels that also takes pre-aggregated observations (per-bucket counts and
 * their sum, as one Spark aggregation over a batch computes them on the executors). The client's own
 * {@code Histogram} only takes single observations, so this keeps the bucket counts and hands them to the client's
 * registry as a {@link HistogramSnapshot}; names, exposition and HTTP are the client's.
 */
final class LatencyHistogram implements Collector {
    private final String name;
    private final String help;
    private final double[] bounds;
    private final long[] counts;
    private double sum;

    LatencyHistogram(String name, String help, List<Double> upperBounds) {
        if (upperBounds.isEmpty()) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound, cannot be: []");
        }
        this.name = name;
        this.help = help;
        bounds = upperBounds.stream().mapToDouble(Double::doubleValue).toArray();
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must ascend, cannot be: " + upperBounds);
            }
        }
        counts = new long[bounds.length + 1];
    }

    double[] bounds() {
        return bounds.clone();
    }

    synchronized void observe(double v) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException("an observation must be a number, cannot be: NaN");
        }
        int bucket = bounds.length;
        for (int i = 0; i < bounds.length; i++) {
            if (v <= bounds[i]) {
                bucket = i;
                break;
            }
        }
        counts[bucket]++;
        sum += v;
    }

    /** Adds pre-aggregated observations: per-bucket counts (not cumulative; the last is above every bound). */
    synchronized void add(long[] bucketCounts, double sumOfValues) {
        if (bucketCounts.length != counts.length) {
            throw new IllegalArgumentException(name + " has " + counts.length + " buckets (with +Inf), cannot be: "
                    + bucketCounts.length);
        }
        for (long c : bucketCounts) {
            if (c < 0) {
                throw new IllegalArgumentException("bucket counts must be >= 0, cannot be: " + c);
            }
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += bucketCounts[i];
        }
        sum += sumOfValues;
    }

    @Override
    public synchronized MetricSnapshot collect() {
        double[] upper = java.util.Arrays.copyOf(bounds, bounds.length + 1);
        upper[bounds.length] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.builder().name(name).help(help)
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts.clone())).sum(sum).build())
                .build();
    }

    @Override
    public String getPrometheusName() {
        return name;
    }
}
