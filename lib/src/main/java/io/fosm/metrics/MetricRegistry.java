package io.fosm.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small thread-safe set of metric families written in the Prometheus text exposition format (version 0.0.4).
 * Written here instead of pulling a client library: the stream needs counters, gauges and one histogram, and the
 * format is checked by a real Prometheus scraping it in the tests.
 */
final class MetricRegistry {
    private final List<Family> families = new CopyOnWriteArrayList<>();

    Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(name, help, labelNames));
    }

    Gauge gauge(String name, String help, String... labelNames) {
        return register(new Gauge(name, help, labelNames));
    }

    Histogram histogram(String name, String help, List<Double> upperBounds) {
        return register(new Histogram(name, help, upperBounds));
    }

    private <F extends Family> F register(F family) {
        if (!family.name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, cannot be: " + family.name);
        }
        families.add(family);
        return family;
    }

    /** The text exposition of every family, in registration order. */
    String scrape() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : families) {
            sb.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            f.write(sb);
        }
        return sb.toString();
    }

    abstract static class Family {
        final String name;
        final String help;
        final String type;
        final String[] labelNames;

        Family(String name, String help, String type, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = labelNames.clone();
        }

        List<String> key(String... labelValues) {
            if (labelValues.length != labelNames.length) {
                throw new IllegalArgumentException(name + " takes labels " + Arrays.toString(labelNames)
                        + ", cannot be: " + Arrays.toString(labelValues));
            }
            List<String> key = new ArrayList<>(labelValues.length);
            for (String v : labelValues) {
                key.add(v == null ? "" : v);
            }
            return List.copyOf(key);
        }

        void sample(StringBuilder sb, String sampleName, List<String> labelValues, String extraName, String extraValue,
                    double value) {
            sb.append(sampleName);
            if (!labelValues.isEmpty() || extraName != null) {
                sb.append('{');
                for (int i = 0; i < labelValues.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append(labelNames[i]).append("=\"")
                            .append(escapeLabel(labelValues.get(i))).append('"');
                }
                if (extraName != null) {
                    sb.append(labelValues.isEmpty() ? "" : ",").append(extraName).append("=\"").append(extraValue)
                            .append('"');
                }
                sb.append('}');
            }
            sb.append(' ').append(number(value)).append('\n');
        }

        abstract void write(StringBuilder sb);
    }

    /** A monotonically increasing count per label set. */
    static final class Counter extends Family {
        // sorted, so a scrape lists label sets in a stable order
        private final Map<List<String>, java.util.concurrent.atomic.DoubleAdder> values = new ConcurrentSkipListMap<>(
                MetricRegistry::compareKeys);

        Counter(String name, String help, String[] labelNames) {
            super(name, help, "counter", labelNames);
        }

        void inc(double by, String... labelValues) {
            if (!(by >= 0) || Double.isInfinite(by)) {
                throw new IllegalArgumentException("a counter only grows: increment must be a finite number >= 0, cannot be: " + by);
            }
            values.computeIfAbsent(key(labelValues), k -> new java.util.concurrent.atomic.DoubleAdder()).add(by);
        }

        double get(String... labelValues) {
            var v = values.get(key(labelValues));
            return v == null ? 0 : v.sum();
        }

        @Override
        void write(StringBuilder sb) {
            values.forEach((k, v) -> sample(sb, name, k, null, null, v.sum()));
        }
    }

    /** The latest value per label set. */
    static final class Gauge extends Family {
        private final Map<List<String>, Double> values = new ConcurrentSkipListMap<>(MetricRegistry::compareKeys);

        Gauge(String name, String help, String[] labelNames) {
            super(name, help, "gauge", labelNames);
        }

        void set(double value, String... labelValues) {
            values.put(key(labelValues), value);
        }

        double get(String... labelValues) {
            return values.getOrDefault(key(labelValues), Double.NaN);
        }

        @Override
        void write(StringBuilder sb) {
            values.forEach((k, v) -> sample(sb, name, k, null, null, v));
        }
    }

    /** A cumulative histogram without labels: counts per upper bound, sum and count. */
    static final class Histogram extends Family {
        private final double[] bounds;
        private final long[] counts;
        private double sum;
        private long count;

        Histogram(String name, String help, List<Double> upperBounds) {
            super(name, help, "histogram", new String[0]);
            if (upperBounds.isEmpty()) {
                throw new IllegalArgumentException("a histogram needs at least one bucket bound, cannot be: []");
            }
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
            counts[bucketOf(v)]++;
            sum += v;
            count++;
        }

        /** Adds pre-aggregated observations: per-bucket counts (not cumulative; the last is above every bound). */
        synchronized void add(long[] bucketCounts, double sumOfValues) {
            if (bucketCounts.length != counts.length) {
                throw new IllegalArgumentException(name + " has " + counts.length + " buckets (with +Inf), cannot be: "
                        + bucketCounts.length);
            }
            for (int i = 0; i < counts.length; i++) {
                if (bucketCounts[i] < 0) {
                    throw new IllegalArgumentException("bucket counts must be >= 0, cannot be: " + bucketCounts[i]);
                }
                counts[i] += bucketCounts[i];
                count += bucketCounts[i];
            }
            sum += sumOfValues;
        }

        int bucketOf(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    return i;
                }
            }
            return bounds.length;
        }

        synchronized long count() {
            return count;
        }

        synchronized double sum() {
            return sum;
        }

        @Override
        synchronized void write(StringBuilder sb) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i];
                sample(sb, name + "_bucket", List.of(), "le", number(bounds[i]), cumulative);
            }
            sample(sb, name + "_bucket", List.of(), "le", "+Inf", count);
            sample(sb, name + "_sum", List.of(), null, null, sum);
            sample(sb, name + "_count", List.of(), null, null, count);
        }
    }

    private static int compareKeys(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
