package io.fosm.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Chooses the fiber layout and the ground-truth events from the seed. Pure: same config, same plan. */
final class EventPlanner {
    /** RMS-scale amplitude of a pig's continuous friction noise (the knocks are {@code peak_amplitude}). */
    static final double PIG_FRICTION_AMPLITUDE = 1.5;
    /** Girth welds on the pipe, so a PIG knocks every 12 m. */
    static final double WELD_SPACING_M = 12.0;
    private static final int PLACEMENT_TRIES = 200;
    /**
     * Where the held-out part of a recording starts (the default {@code train.fraction}): a recording whose held-out
     * part fits the longest event (200 s or more) gets one event of each class wholly before it and one wholly after.
     */
    static final double HELD_OUT_FROM = 0.7;
    /** The longest event the planner draws (leak, walking and pig last 20-60 s). */
    private static final double LONGEST_EVENT_SECONDS = 60;
    /** Free channels kept between the extents of two events that are on at the same time (vehicles excepted). */
    private static final double GUARD_CHANNELS = 2;
    /** Seconds either side of an event during which another may not come near it (vehicles excepted). */
    private static final double GUARD_SECONDS = 1;

    private final GeneratorConfig cfg;
    private final double fs;
    private final int channels;

    EventPlanner(GeneratorConfig cfg) {
        this.cfg = cfg;
        this.fs = cfg.sampleRate();
        this.channels = cfg.channels();
    }

    FiberLayout layout() {
        SplittableRandom rng = Seeds.stream(cfg.seed(), Seeds.LAYOUT, 0);
        List<FiberLayout.HumSite> sites = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        int siteCount = channels >= 16 ? 2 + rng.nextInt(2) : channels >= 4 ? 1 : 0;
        for (int i = 0; i < siteCount; i++) {
            int centre = 2 + rng.nextInt(Math.max(1, channels - 4));
            double hw = rng.nextDouble(1.0, 2.5);
            sites.add(new FiberLayout.HumSite(centre, hw, rng.nextDouble(1.5, 3.0)));
            taken.add(centre);
        }
        // about 1% dead and 1% faded; at least one of each on any fiber long enough to be a real deployment
        int broken = channels >= 16 ? Math.max(1, (int) Math.round(0.01 * channels)) : 0;
        Set<Integer> dead = pick(rng, broken, taken);
        taken.addAll(dead);
        Set<Integer> faded = pick(rng, broken, taken);
        return new FiberLayout(dead, faded, sites);
    }

    private Set<Integer> pick(SplittableRandom rng, int count, Set<Integer> avoid) {
        Set<Integer> out = new HashSet<>();
        while (out.size() < count) {
            int c = rng.nextInt(channels);
            if (!avoid.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Fresh (unrendered) sources for every event, sorted by onset, with ids assigned in that order. */
    List<EventSource> events() {
        List<Draft> drafts = new ArrayList<>();
        double duration = cfg.durationSeconds();
        SplittableRandom rng = Seeds.stream(cfg.seed(), Seeds.EVENTS, 0);
        int total = poisson(rng, cfg.eventRatePerMinute() * duration / 60);
        List<EventType> every = List.of(EventType.LEAK, EventType.DIGGING, EventType.WALKING, EventType.VEHICLE,
                EventType.PIG);
        List<EventType> types = new ArrayList<>();
        // training downstream must see every class: one of each first, then the random rest; on a long enough
        // recording (the held-out part fits the longest event) one of each before HELD_OUT_FROM and one of each after
        // it, so a time split evaluates every class
        int before = 0;
        int after = 0;
        // a rate of 0 asks for an event-free fiber (false alarms per km per hour are measured on one): no
        // guaranteed classes then
        if (cfg.eventRatePerMinute() > 0 && duration >= 60 && channels >= 32) {
            types.addAll(every);
            before = every.size();
            if (duration * (1 - HELD_OUT_FROM) >= LONGEST_EVENT_SECONDS) {
                types.addAll(every);
                after = every.size();
            }
        }
        while (types.size() < total) {
            types.add(drawType(rng, cfg.eventMix()));
        }
        double cut = after > 0 ? HELD_OUT_FROM * duration : duration;
        for (int i = 0; i < types.size(); i++) {
            double from = i >= before && i < before + after ? cut : 0;
            double to = i < before ? cut : duration;
            drafts.add(place(rng, types.get(i), from, to, false, drafts));
        }
        if (cfg.driftMode().mix()) {
            double onset = cfg.driftOnsetSeconds();
            if (duration - onset >= 2) {
                SplittableRandom mix = Seeds.stream(cfg.seed(), Seeds.MIX, 0);
                // unseen mix: a burst of traffic and a leak-like hiss in a band the models never saw
                int vehicles = 2 + mix.nextInt(3);
                for (int i = 0; i < vehicles; i++) {
                    drafts.add(place(mix, EventType.VEHICLE, onset, duration, false, drafts));
                }
                int hisses = 1 + mix.nextInt(2);
                for (int i = 0; i < hisses; i++) {
                    drafts.add(place(mix, EventType.LEAK, onset, duration, true, drafts));
                }
            }
        }
        drafts.sort(Comparator.comparingLong((Draft d) -> d.startSample).thenComparing(d -> d.type)
                .thenComparingDouble(d -> d.c0));
        List<EventSource> sources = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            sources.add(build(drafts.get(i), String.format("%s-ev-%04d", cfg.fiberId(), i + 1)));
        }
        return sources;
    }

    /** A planned event before it gets its id. */
    static final class Draft {
        EventType type;
        boolean hiss;
        long startSample;
        long endSample;
        double c0;
        double c1;
        double halfWidth;
        double speed;
        double amplitude;
        long seed;
        double weldOffsetM;
        double rate;
        double tau;
        double sineHz;

        /** A track from channel {@code c0} to {@code c1} over samples [start, end) (tests). */
        static Draft track(EventType type, long startSample, long endSample, double c0, double c1, double halfWidth) {
            Draft d = new Draft();
            d.type = type;
            d.startSample = startSample;
            d.endSample = endSample;
            d.c0 = c0;
            d.c1 = c1;
            d.halfWidth = halfWidth;
            return d;
        }

        /** Centre channel at {@code sample}, held at the ends outside the event. */
        double centre(long sample) {
            if (endSample <= startSample || sample <= startSample) {
                return c0;
            }
            return sample >= endSample ? c1 : c0 + (c1 - c0) * (sample - startSample) / (endSample - startSample);
        }
    }

    private Draft place(SplittableRandom rng, EventType type, double earliest, double latest, boolean hiss,
                        List<Draft> placed) {
        Draft best = null;
        long bestOverlaps = Long.MAX_VALUE;
        for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
            Draft d = draft(rng, type, earliest, latest, hiss);
            if (type == EventType.VEHICLE) {
                // vehicles cross the whole fiber anyway
                return d;
            }
            // keep the others apart so each stays learnable; on a crowded fiber, the draft that meets the fewest
            long overlapping = placed.stream().filter(o -> overlaps(d, o)).count();
            if (overlapping == 0) {
                return d;
            }
            if (overlapping < bestOverlaps) {
                best = d;
                bestOverlaps = overlapping;
            }
        }
        return best;
    }

    /**
     * Whether two events come within {@link #GUARD_CHANNELS} of each other's extent while both are on (give or take
     * {@link #GUARD_SECONDS}). Exact for the linear tracks: the distance between the two centres is piecewise linear
     * in time (it bends only where an event starts or ends), so its smallest value is at a bend or at an end of the
     * interval, or zero where the tracks cross in between.
     */
    boolean overlaps(Draft a, Draft b) {
        if (b.type == EventType.VEHICLE) {
            return false;
        }
        long guard = Math.round(GUARD_SECONDS * fs);
        long from = Math.max(a.startSample, b.startSample) - guard;
        // from the later start less the guard to the earlier end: empty when one starts more than the guard after
        // the other ended; a not-yet-started event is held at its starting place
        long to = Math.min(a.endSample, b.endSample);
        if (from >= to) {
            return false;
        }
        long[] bends = {from, a.startSample, b.startSample, a.endSample, b.endSample, to};
        Arrays.sort(bends);
        double reach = a.halfWidth + b.halfWidth + GUARD_CHANNELS;
        double previous = Double.NaN;
        for (long t : bends) {
            if (t < from || t > to) {
                continue;
            }
            double gap = a.centre(t) - b.centre(t);
            if (Math.abs(gap) < reach || (!Double.isNaN(previous) && Math.signum(gap) != Math.signum(previous))) {
                return true;
            }
            previous = gap;
        }
        return false;
    }

    private Draft draft(SplittableRandom rng, EventType type, double earliest, double latest, boolean hiss) {
        Draft d = new Draft();
        d.type = type;
        d.hiss = hiss;
        d.seed = rng.nextLong();
        double spacing = cfg.channelSpacingM();
        double window = latest - earliest;
        double seconds;
        switch (type) {
            case LEAK -> {
                seconds = rng.nextDouble(20, 60);
                d.halfWidth = rng.nextDouble(1.0, 2.5);
                d.amplitude = rng.nextDouble(2.5, 5.0);
            }
            case DIGGING -> {
                seconds = rng.nextDouble(15, 40);
                d.halfWidth = rng.nextDouble(1.5, 4.0);
                d.amplitude = rng.nextDouble(8, 15);
                d.rate = rng.nextDouble(1, 3); // seconds between strikes
                d.tau = rng.nextDouble(0.006, 0.012);
            }
            case WALKING -> {
                seconds = rng.nextDouble(20, 60);
                d.halfWidth = rng.nextDouble(1.0, 2.0);
                // a footstep within metres of a buried fiber is a clear transient: 6-10 dB over the 10-50 Hz floor
                d.amplitude = rng.nextDouble(7.0, 11.0);
                d.speed = rng.nextDouble(1.0, 1.5);
                d.rate = rng.nextDouble(1, 3); // steps per second
                d.tau = 0.025;
                d.sineHz = rng.nextDouble(10, 30);
            }
            case VEHICLE -> {
                d.speed = rng.nextDouble(5, 20);
                d.halfWidth = Math.max(1.0, rng.nextDouble(5, 15) / 2 / spacing);
                d.amplitude = rng.nextDouble(2.0, 4.0);
                seconds = Math.max(1, (channels - 1) * spacing / d.speed);
            }
            case PIG -> {
                seconds = rng.nextDouble(20, 60);
                d.halfWidth = rng.nextDouble(1.5, 3.0);
                d.amplitude = rng.nextDouble(10, 20);
                d.speed = rng.nextDouble(1, 3);
                d.tau = 0.002;
                d.weldOffsetM = rng.nextDouble(WELD_SPACING_M);
            }
            default -> throw new IllegalArgumentException("Cannot plan event: no model for " + type);
        }
        seconds = Math.max(1 / fs, Math.min(seconds, window));
        double lo = Math.min(d.halfWidth, (channels - 1) / 2.0);
        double hi = Math.max(lo, channels - 1 - d.halfWidth);
        boolean forward = rng.nextBoolean();
        if (d.speed > 0 && type != EventType.VEHICLE) {
            double maxTravel = hi - lo;
            double travel = d.speed / spacing * seconds;
            if (travel > maxTravel) {
                // walk or pig would leave the fiber: keep it on the span by shortening it
                seconds = Math.max(Math.min(2, window), maxTravel * spacing / d.speed);
                travel = Math.min(travel, d.speed / spacing * seconds);
            }
            double from = lo + rng.nextDouble() * Math.max(0, maxTravel - travel);
            d.c0 = forward ? from : hi - (from - lo);
            d.c1 = forward ? d.c0 + travel : d.c0 - travel;
        } else if (type == EventType.VEHICLE) {
            d.c0 = forward ? 0 : channels - 1;
            d.c1 = forward ? channels - 1 : 0;
            double full = Math.max(1, (channels - 1) * spacing / d.speed);
            if (seconds < full) {
                // the recording ends before the vehicle leaves the span
                d.c1 = d.c0 + (d.c1 - d.c0) * seconds / full;
            }
        } else {
            d.c0 = lo + rng.nextDouble() * (hi - lo);
            d.c1 = d.c0;
        }
        double start = earliest + rng.nextDouble() * Math.max(0, window - seconds);
        d.startSample = Math.round(start * fs);
        d.endSample = Math.min(Math.round(latest * fs), Math.max(d.startSample + 1, Math.round((start + seconds) * fs)));
        return d;
    }

    private EventSource build(Draft d, String id) {
        long micros0 = cfg.startMicros() + Math.round(d.startSample * 1e6 / fs);
        long micros1 = cfg.startMicros() + Math.round(d.endSample * 1e6 / fs);
        long onsetSample = Math.round(cfg.driftOnsetSeconds() * fs);
        boolean drift = cfg.driftMode() != DriftMode.NONE && d.endSample > onsetSample;
        double amplitude = d.amplitude;
        GroundTruthEvent truth = new GroundTruthEvent(id, cfg.fiberId(), d.type, micros0, micros1, d.c0, d.c1,
                d.halfWidth, d.speed, amplitude, drift);
        SplittableRandom rng = new SplittableRandom(d.seed);
        long span = d.endSample - d.startSample;
        return switch (d.type) {
            case LEAK -> d.hiss
                    ? new EventSource.BandNoise(truth, d.startSample, d.endSample, fs, d.seed, 400, 480, 0.6)
                    : new EventSource.BandNoise(truth, d.startSample, d.endSample, fs, d.seed, 100, 400, 0.4);
            case VEHICLE -> new EventSource.BandNoise(truth, d.startSample, d.endSample, fs, d.seed, 5, 40, 1.0);
            case DIGGING -> {
                List<Long> on = new ArrayList<>();
                for (double t = rng.nextDouble(0, 0.5); t * fs < span; t += rng.nextDouble(1, 3)) {
                    on.add(d.startSample + Math.round(t * fs));
                }
                yield impulses(truth, d, on, rng, 0.6, 1.0);
            }
            case WALKING -> {
                List<Long> on = new ArrayList<>();
                for (double t = rng.nextDouble(0, 0.3); t * fs < span; t += rng.nextDouble(0.9, 1.1) / d.rate) {
                    on.add(d.startSample + Math.round(t * fs));
                }
                yield impulses(truth, d, on, rng, 0.7, 1.0);
            }
            case PIG -> {
                List<Long> on = new ArrayList<>();
                double spacing = cfg.channelSpacingM();
                double x0 = d.c0 * spacing;
                double x1 = d.c1 * spacing;
                double lo = Math.min(x0, x1);
                double hi = Math.max(x0, x1);
                double firstWeld = d.weldOffsetM + Math.ceil((lo - d.weldOffsetM) / WELD_SPACING_M) * WELD_SPACING_M;
                for (double w = firstWeld; w <= hi; w += WELD_SPACING_M) {
                    double t = Math.abs(w - x0) / d.speed;
                    on.add(d.startSample + Math.min(span - 1, Math.round(t * fs)));
                }
                if (on.isEmpty()) {
                    // a span shorter than a weld pitch: still give the gauge its one knock
                    on.add(d.startSample + span / 2);
                }
                on.sort(Long::compare);
                // the cups scrape the wall all the way (a moving broadband hiss); welds add the knocks
                EventSource friction = new EventSource.BandNoise(truth, d.startSample, d.endSample, fs, d.seed ^ 0x9e3779b97f4a7c15L,
                        20, 200, 1.0, PIG_FRICTION_AMPLITUDE);
                yield new EventSource.Sum(friction, impulses(truth, d, on, rng, 0.8, 1.0));
            }
            default -> throw new IllegalArgumentException("Cannot build event: no model for " + d.type);
        };
    }

    private EventSource impulses(GroundTruthEvent truth, Draft d, List<Long> onsets, SplittableRandom rng,
                                 double minGain, double maxGain) {
        long[] on = onsets.stream().mapToLong(Long::longValue).toArray();
        double[] amp = new double[on.length];
        for (int i = 0; i < amp.length; i++) {
            amp[i] = d.amplitude * rng.nextDouble(minGain, maxGain + 1e-12);
        }
        return new EventSource.Impulses(truth, d.startSample, d.endSample, fs, d.seed, on, amp, d.tau, d.sineHz);
    }

    private static EventType drawType(SplittableRandom rng, Map<EventType, Double> mix) {
        double sum = mix.values().stream().mapToDouble(Double::doubleValue).sum();
        double u = rng.nextDouble() * sum;
        EventType last = null;
        for (Map.Entry<EventType, Double> e : new EnumMap<>(mix).entrySet()) {
            if (e.getValue() <= 0) {
                continue;
            }
            last = e.getKey();
            u -= e.getValue();
            if (u < 0) {
                return e.getKey();
            }
        }
        return last;
    }

    private static int poisson(SplittableRandom rng, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * rng.nextGaussian()));
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = rng.nextDouble();
        while (p > l) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }
}
