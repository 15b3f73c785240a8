package io.fosm.lakehouse;

import io.fosm.ingest.DasFileInfo;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the interrogator files of one bronze run join into continuous recordings (pure Java, planned on the driver from
 * each file's own metadata). Files of a fiber are taken in time order; a file that starts where the previous one ended
 * (within half a sample) with the same rate and channel layout continues its run, so chunks span file boundaries
 * seamlessly. Every boundary is classified and reported (bronze_files, the job's output), never silently glued:
 *
 * <ul>
 *   <li>{@code first}: the first file of the fiber in this run;
 *   <li>{@code continuous}: starts exactly where the previous file ended;
 *   <li>{@code overlap}: starts before the previous file ended; the overlapping leading samples are trimmed;
 *   <li>{@code contained}: lies entirely within time already covered; all its samples are trimmed;
 *   <li>{@code gap}: starts after the previous file ended; a new run starts (the gap stays a gap);
 *   <li>{@code layout_change}: another sample rate, channel count or first channel; a new run starts.
 * </ul>
 */
public final class RecordingPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Boundary kinds. */
    public static final String FIRST = "first";
    public static final String CONTINUOUS = "continuous";
    public static final String OVERLAP = "overlap";
    public static final String CONTAINED = "contained";
    public static final String GAP = "gap";
    public static final String LAYOUT_CHANGE = "layout_change";

    /** One readable file: where it is, which fiber it belongs to and what it declares. */
    public record FileMeta(String path, String fiberId, DasFileInfo info) implements Serializable {}

    /** A file's part of a run: the leading samples to trim (overlap) and the samples it contributes after them. */
    public record Piece(String path, int trimSamples, int samples) implements Serializable {}

    /** A continuous recording: consecutive pieces at one rate and channel layout, starting at startMicros. */
    public record Run(String fiberId, long startMicros, double sampleRate, int startChannel, int channels,
                      List<Piece> pieces) implements Serializable {
        /** Samples per channel over the whole run. */
        public long samples() {
            return pieces.stream().mapToLong(Piece::samples).sum();
        }
    }

    /**
     * How a file joins the one before it: the kind, the time from the previous file's end to this file's start
     * (negative for an overlap; 0 for the first file), the samples trimmed, and the previous file (null for the first).
     */
    public record Boundary(String kind, long deltaMicros, int trimmedSamples, String previousFile)
            implements Serializable {}

    private final List<Run> runs;
    private final Map<String, Boundary> boundaries;

    private RecordingPlan(List<Run> runs, Map<String, Boundary> boundaries) {
        this.runs = List.copyOf(runs);
        this.boundaries = java.util.Collections.unmodifiableMap(boundaries);
    }

    public List<Run> runs() {
        return runs;
    }

    /** The boundary of every planned file, by path. */
    public Map<String, Boundary> boundaries() {
        return boundaries;
    }

    /** Plans the runs of the files (any order, any fibers). */
    public static RecordingPlan plan(List<FileMeta> files) {
        Map<String, List<FileMeta>> byFiber = new TreeMap<>();
        for (FileMeta f : files) {
            byFiber.computeIfAbsent(f.fiberId(), k -> new ArrayList<>()).add(f);
        }
        List<Run> runs = new ArrayList<>();
        Map<String, Boundary> boundaries = new LinkedHashMap<>();
        for (List<FileMeta> fiberFiles : byFiber.values()) {
            fiberFiles.sort(Comparator.comparingLong((FileMeta f) -> f.info().startTimeMicros())
                    .thenComparing(FileMeta::path));
            RunBuilder current = null;
            FileMeta previous = null;
            long previousEndMicros = 0;   // end (exclusive) of the time covered so far in the current run
            for (FileMeta f : fiberFiles) {
                DasFileInfo in = f.info();
                double fs = in.sampleRateHz();
                long start = in.startTimeMicros();
                if (current == null) {
                    current = new RunBuilder(f);
                    boundaries.put(f.path(), new Boundary(FIRST, 0, 0, null));
                } else if (fs != current.sampleRate || in.channels() != current.channels
                        || in.startChannel() != current.startChannel) {
                    runs.add(current.build());
                    current = new RunBuilder(f);
                    boundaries.put(f.path(), new Boundary(LAYOUT_CHANGE, start - previousEndMicros, 0, previous.path()));
                } else {
                    long delta = start - previousEndMicros;
                    double halfSampleMicros = 0.5e6 / fs;
                    if (Math.abs(delta) <= halfSampleMicros) {
                        current.add(f, 0);
                        boundaries.put(f.path(), new Boundary(CONTINUOUS, delta, 0, previous.path()));
                    } else if (delta > 0) {
                        runs.add(current.build());
                        current = new RunBuilder(f);
                        boundaries.put(f.path(), new Boundary(GAP, delta, 0, previous.path()));
                    } else {
                        long overlap = Math.round(-delta * fs / 1e6);
                        if (overlap >= in.timeSamples()) {
                            boundaries.put(f.path(), new Boundary(CONTAINED, delta, in.timeSamples(), previous.path()));
                            previous = f;
                            continue;   // nothing new: the covered time and the run's end stay
                        }
                        current.add(f, (int) overlap);
                        boundaries.put(f.path(), new Boundary(OVERLAP, delta, (int) overlap, previous.path()));
                    }
                }
                previous = f;
                previousEndMicros = current.endMicros();
            }
            if (current != null) {
                runs.add(current.build());
            }
        }
        return new RecordingPlan(runs, boundaries);
    }

    /** The start of sample {@code index} of a run, epoch microseconds. */
    public static long sampleMicros(long runStartMicros, long index, double sampleRate) {
        return runStartMicros + Math.round(index * 1e6 / sampleRate);
    }

    private static final class RunBuilder {
        final String fiberId;
        final long startMicros;
        final double sampleRate;
        final int startChannel;
        final int channels;
        final List<Piece> pieces = new ArrayList<>();
        long samples;

        RunBuilder(FileMeta first) {
            DasFileInfo in = first.info();
            fiberId = first.fiberId();
            startMicros = in.startTimeMicros();
            sampleRate = in.sampleRateHz();
            startChannel = in.startChannel();
            channels = in.channels();
            add(first, 0);
        }

        void add(FileMeta f, int trim) {
            int n = f.info().timeSamples() - trim;
            pieces.add(new Piece(f.path(), trim, n));
            samples += n;
        }

        long endMicros() {
            return sampleMicros(startMicros, samples, sampleRate);
        }

        Run build() {
            return new Run(fiberId, startMicros, sampleRate, startChannel, channels, List.copyOf(pieces));
        }
    }
}
