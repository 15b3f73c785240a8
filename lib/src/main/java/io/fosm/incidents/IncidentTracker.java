package io.fosm.incidents;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns scored windows into incidents that follow physical events (pure Java, no Spark): one incident per event,
 * updated while it lasts, same id throughout. The stream ({@code StreamBatchWriter}), batch evaluation
 * ({@code fosm evaluate}) and training's event-level metrics all feed it through {@link ScoredWindowReplay}: one
 * implementation.
 *
 * <p>Per final window start of a fiber (in increasing order):
 * <ol>
 *   <li>A channel is <em>active</em> when its event score (1 - P(background)) exceeds {@code threshold}. Active
 *       channels with at most {@code groupChannels} channels between them form one <em>detection</em>, split where
 *       the most probable class changes between two channels that are both confident of their class
 *       ({@code splitClassShare}: two events side by side, not a classifier unsure at an event's fringe).</li>
 *   <li>Each detection joins the nearest track whose predicted extent (its last extent moved by its velocity, widened
 *       by {@code gateChannels}) it overlaps; otherwise it starts a tentative track. So a stationary event merges
 *       across adjacent channels and short gaps, and a moving one is followed from channel to channel. A detection
 *       of another class than the track's joins it only when it lies on the track's own channels (a window whose
 *       argmax flipped does not split the event), and only when no track of its class is as close; next to the
 *       track it is another event (a vehicle passing a leak).</li>
 *   <li>Hysteresis: a tentative track opens an incident once it was detected in {@code openK} of the last
 *       {@code openN} windows; an open incident closes after {@code closeAfter} windows without a detection (a
 *       missing window counts as quiet); a tentative track that cannot reach k of n any more is dropped.</li>
 *   <li>The class is decided from all of the track's windows: the mean class probability over every active cell it
 *       absorbed (background left out); it may change while the incident is open. When the best class's share stays
 *       below {@code minClassConfidence} and at least {@code unknownAnomalyFraction} of the cells were flagged by the
 *       anomaly detectors, the class is {@link #UNKNOWN_EVENT}.</li>
 *   <li>Motion: a least-squares line through the track's (time, centre channel) points gives the velocity in
 *       channels per second; the caller converts it to m/s through {@link IncidentLocation}. A track whose line has
 *       travelled {@code movingMinChannels} or more is moving, and its class is chosen among the classes that move
 *       (not {@code stationaryClasses}).</li>
 * </ol>
 * State is kept per fiber and encoded by {@link IncidentStateCodec} (versioned, no Java serialisation).
 */
public final class IncidentTracker {
    public static final String OPEN = "open";
    public static final String CLOSED = "closed";
    /** The class of an incident the classifier cannot name but the anomaly detectors flag. */
    public static final String UNKNOWN_EVENT = "unknown_event";
    /** The most track points an incident keeps (older ones are thinned, every other one dropped). */
    static final int MAX_TRACK_POINTS = 512;

    /**
     * How detections become incidents; times in microseconds.
     *
     * @param threshold              event score (1 - P(background)) above which a channel is active
     * @param openK                  detections among the last {@code openN} windows that open an incident
     * @param openN                  the window of the k-of-n rule
     * @param closeAfter             quiet windows after which an open incident closes
     * @param groupChannels          active channels at most this far apart are one detection
     * @param gateChannels           slack around a track's predicted extent within which a detection joins it
     * @param minClassConfidence     the best class's share of the event probability needed to name a class
     * @param unknownAnomalyFraction anomalous share of the cells that makes an unsure incident "unknown_event"
     * @param hopMicros              the window hop
     * @param windowMicros           the window length
     * @param movingMinChannels      a track whose fitted line travels at least this many channels is moving, and a
     *                               moving track is never given a stationary class (0 = off)
     * @param stationaryClasses      the classes that do not move (e.g. leak, digging)
     * @param splitClassShare        neighbouring active channels are split into two detections where their most
     *                               probable class changes and both hold at least this share of their event score
     *                               (confident classes: two events side by side); above 1 never
     */
    public record Settings(double threshold, int openK, int openN, int closeAfter, int groupChannels,
                           int gateChannels, double minClassConfidence, double unknownAnomalyFraction,
                           long hopMicros, long windowMicros, double movingMinChannels,
                           java.util.Set<String> stationaryClasses, double splitClassShare) {
        /** Settings without the motion rule (tests, callers that do not use it). */
        public Settings(double threshold, int openK, int openN, int closeAfter, int groupChannels, int gateChannels,
                        double minClassConfidence, double unknownAnomalyFraction, long hopMicros, long windowMicros) {
            this(threshold, openK, openN, closeAfter, groupChannels, gateChannels, minClassConfidence,
                    unknownAnomalyFraction, hopMicros, windowMicros, 0, java.util.Set.of(), 2);
        }

        public Settings {
            if (openK < 1 || openN < openK) {
                throw new IllegalArgumentException("Cannot track incidents: open after k of n windows needs "
                        + "1 <= k <= n, got k=" + openK + ", n=" + openN);
            }
            if (closeAfter < 1) {
                throw new IllegalArgumentException("Cannot track incidents: close_after must be at least 1 window, "
                        + "got " + closeAfter);
            }
            if (hopMicros <= 0 || windowMicros <= 0) {
                throw new IllegalArgumentException("Cannot track incidents: hop and window must be positive, got "
                        + hopMicros + " and " + windowMicros + " us");
            }
        }
    }

    /**
     * One active channel of a window: its class probabilities (in the order of the {@code classes} passed to
     * {@link #advance}) and whether the anomaly detectors flagged it.
     */
    public record Cell(int channel, double[] probabilities, boolean anomalous) {}

    /**
     * An incident's state after a window (immutable snapshot). {@code updateSeq} grows with every change of the
     * incident, so "the latest state wins" is the row with the highest {@code updateSeq}.
     */
    public record Incident(String id, String status, String fiberId, String eventClass, double classConfidence,
                           long startMicros, long detectedMicros, long endMicros, int channelMin, int channelMax,
                           double positionChannel, double detectedPositionChannel, double velocityChannelsPerSecond,
                           double peakProbability, int peakChannel, long alertWindows, long cells,
                           double anomalousFraction, String modelVersion, long updateSeq, long[] trackMicros,
                           double[] trackChannels) {
        /** "increasing" or "decreasing" channel numbers, or "stationary" below {@code minSpeed} channels/s. */
        public String direction(double minChannelsPerSecond) {
            if (Math.abs(velocityChannelsPerSecond) < minChannelsPerSecond) {
                return "stationary";
            }
            return velocityChannelsPerSecond > 0 ? "increasing" : "decreasing";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Incident i && id.equals(i.id) && status.equals(i.status)
                    && eventClass.equals(i.eventClass) && updateSeq == i.updateSeq && startMicros == i.startMicros
                    && endMicros == i.endMicros && channelMin == i.channelMin && channelMax == i.channelMax
                    && alertWindows == i.alertWindows && cells == i.cells
                    && java.util.Arrays.equals(trackMicros, i.trackMicros)
                    && java.util.Arrays.equals(trackChannels, i.trackChannels);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, status, updateSeq);
        }

        @Override
        public String toString() {
            return "Incident[" + id + " " + status + " " + eventClass + " ch " + channelMin + "-" + channelMax
                    + " at " + String.format("%.1f", positionChannel) + " v=" + String.format("%.2f",
                    velocityChannelsPerSecond) + " windows=" + alertWindows + " seq=" + updateSeq + "]";
        }
    }

    /** A track: tentative until it opens, then an open incident (mutable, owned by the tracker). */
    static final class Track {
        String id;
        boolean open;
        long firstStart;
        long lastHit;
        long detected;
        /** Window starts of the recent detections (at most openN kept). */
        final List<Long> recentHits = new ArrayList<>();
        int min;
        int max;
        int lastMin;
        int lastMax;
        double peak;
        int peakChannel;
        long windows;
        long cells;
        long anomalous;
        /** Sum of each class's probability over the absorbed cells. */
        final TreeMap<String, Double> classSums = new TreeMap<>();
        String eventClass;
        double confidence;
        double detectedPosition = Double.NaN;
        long seq;
        String modelVersion;
        final List<Long> times = new ArrayList<>();
        final List<Double> centres = new ArrayList<>();
        double velocity; // channels per microsecond
        boolean changed;

        double centre() {
            return centres.isEmpty() ? (lastMin + lastMax) / 2.0 : centres.get(centres.size() - 1);
        }

        Incident snapshot(String status, String fiber) {
            long[] t = new long[times.size()];
            double[] c = new double[centres.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = times.get(i);
                c[i] = centres.get(i);
            }
            return new Incident(id, status, fiber, eventClass, confidence, firstStart, detected, 0, min, max,
                    centre(), detectedPosition, velocity * 1e6, peak, peakChannel, windows, cells,
                    cells == 0 ? 0 : (double) anomalous / cells, modelVersion, seq, t, c);
        }
    }

    /** Per fiber: the tracks and the last window start processed. */
    static final class FiberState {
        long lastStart = Long.MIN_VALUE;
        final List<Track> tracks = new ArrayList<>();
    }

    private final Settings settings;
    final TreeMap<String, FiberState> fibers = new TreeMap<>();

    public IncidentTracker(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    public Settings settings() {
        return settings;
    }

    /** A detection: a run of active channels of one window. */
    private record Detection(int min, int max, double centre, double peak, int peakChannel, List<Cell> cells,
                             int dominant) {}

    /**
     * Processes the final window start {@code windowStart} of {@code fiber}: {@code active} holds its channels whose
     * event score exceeds the threshold (others may be included; they are filtered here). Returns the state after
     * this window of every incident that opened, changed or closed. Window starts of a fiber must increase; an older
     * or repeated one (a replayed batch) is ignored.
     *
     * @param classes the class of each position of the probability vectors; {@code background} is not an event
     */
    public List<Incident> advance(String fiber, long windowStart, List<String> classes, String background,
                                  List<Cell> active, String modelVersion) {
        FiberState state = fibers.computeIfAbsent(fiber, f -> new FiberState());
        if (windowStart <= state.lastStart) {
            return List.of();
        }
        state.lastStart = windowStart;
        int bg = classes.indexOf(background);
        List<Detection> detections = detections(active, bg);
        long mid = windowStart + settings.windowMicros() / 2;

        // each detection to the nearest track whose gate it overlaps (open incidents before tentative tracks)
        Map<Track, List<Detection>> absorbed = new java.util.LinkedHashMap<>();
        List<Detection> unmatched = new ArrayList<>();
        for (Detection d : detections) {
            Track best = null;
            double bestDistance = Double.MAX_VALUE;
            String detectionClass = d.dominant() < 0 ? null : classes.get(d.dominant());
            for (Track t : state.tracks) {
                double shift = t.velocity * (mid - t.times.get(t.times.size() - 1));
                double lo = t.lastMin + shift - settings.gateChannels();
                double hi = t.lastMax + shift + settings.gateChannels();
                if (d.max() < lo || d.min() > hi) {
                    continue;
                }
                double distance = Math.abs(d.centre() - (t.centre() + shift)) - (t.open ? 0.5 : 0);
                if (detectionClass != null && t.eventClass != null && !detectionClass.equals(t.eventClass)) {
                    // another class next to a track is another event (a vehicle passing a leak), unless it lies on
                    // the track's own channels (a window whose argmax flipped): then it joins, as a last resort
                    boolean onTrack = d.max() >= t.lastMin + shift - 1 && d.min() <= t.lastMax + shift + 1;
                    if (!onTrack) {
                        continue;
                    }
                    distance += settings.gateChannels() + 1;
                }
                if (distance < bestDistance) {
                    best = t;
                    bestDistance = distance;
                }
            }
            if (best == null) {
                unmatched.add(d);
            } else {
                absorbed.computeIfAbsent(best, k -> new ArrayList<>()).add(d);
            }
        }
        for (Map.Entry<Track, List<Detection>> e : absorbed.entrySet()) {
            absorb(e.getKey(), e.getValue(), windowStart, mid, classes, bg, modelVersion);
        }
        for (Detection d : unmatched) {
            Track t = new Track();
            t.firstStart = windowStart;
            t.min = d.min();
            t.max = d.max();
            t.peak = -1;
            t.id = fiber + ":" + windowStart + ":" + d.min() + "-" + d.max();
            t.modelVersion = modelVersion;
            absorb(t, List.of(d), windowStart, mid, classes, bg, modelVersion);
            state.tracks.add(t);
        }

        List<Incident> out = new ArrayList<>();
        long hop = settings.hopMicros();
        for (java.util.Iterator<Track> it = state.tracks.iterator(); it.hasNext(); ) {
            Track t = it.next();
            t.recentHits.removeIf(s -> s <= windowStart - (long) settings.openN() * hop);
            long quiet = (windowStart - t.lastHit) / hop;
            if (!t.open) {
                if (t.recentHits.size() >= settings.openK()) {
                    t.open = true;
                    t.detected = windowStart + settings.windowMicros();
                    t.detectedPosition = t.centre();
                    t.seq++;
                    out.add(end(t.snapshot(OPEN, fiber), t));
                } else if (quiet >= settings.openN() || t.recentHits.isEmpty()) {
                    it.remove();
                }
                t.changed = false;
                continue;
            }
            if (quiet >= settings.closeAfter()) {
                t.seq++;
                out.add(end(t.snapshot(CLOSED, fiber), t));
                it.remove();
            } else if (t.changed) {
                t.seq++;
                out.add(end(t.snapshot(OPEN, fiber), t));
            }
            t.changed = false;
        }
        out.sort(Comparator.comparing(Incident::id));
        return out;
    }

    private Incident end(Incident i, Track t) {
        return new Incident(i.id(), i.status(), i.fiberId(), i.eventClass(), i.classConfidence(), i.startMicros(),
                i.detectedMicros(), t.lastHit + settings.windowMicros(), i.channelMin(), i.channelMax(),
                i.positionChannel(), i.detectedPositionChannel(), i.velocityChannelsPerSecond(), i.peakProbability(),
                i.peakChannel(), i.alertWindows(), i.cells(), i.anomalousFraction(), i.modelVersion(), i.updateSeq(),
                i.trackMicros(), i.trackChannels());
    }

    private void absorb(Track t, List<Detection> ds, long windowStart, long mid, List<String> classes, int bg,
                        String modelVersion) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        double weighted = 0;
        double weights = 0;
        for (Detection d : ds) {
            min = Math.min(min, d.min());
            max = Math.max(max, d.max());
            for (Cell c : d.cells()) {
                double score = eventScore(c, bg);
                weighted += score * c.channel();
                weights += score;
                if (score > t.peak) {
                    t.peak = score;
                    t.peakChannel = c.channel();
                }
                for (int k = 0; k < classes.size() && k < c.probabilities().length; k++) {
                    if (k != bg) {
                        t.classSums.merge(classes.get(k), c.probabilities()[k], Double::sum);
                    }
                }
                t.cells++;
                if (c.anomalous()) {
                    t.anomalous++;
                }
            }
        }
        t.lastMin = min;
        t.lastMax = max;
        if (t.open && (min < t.min || max > t.max)) {
            t.changed = true;
        }
        t.min = Math.min(t.min, min);
        t.max = Math.max(t.max, max);
        t.lastHit = windowStart;
        t.recentHits.add(windowStart);
        t.windows++;
        t.modelVersion = modelVersion;
        t.times.add(mid);
        t.centres.add(weights > 0 ? weighted / weights : (min + max) / 2.0);
        if (t.times.size() > MAX_TRACK_POINTS) {
            thin(t);
        }
        t.velocity = slope(t.times, t.centres);
        String previous = t.eventClass;
        decideClass(t);
        // every detection of an open incident is a change (its end and position move)
        t.changed = t.changed || t.open || !Objects.equals(previous, t.eventClass);
    }

    /** Whether the track's fitted line has travelled at least movingMinChannels since its first point. */
    private boolean moving(Track t) {
        if (settings.movingMinChannels() <= 0 || t.times.size() < 3) {
            return false;
        }
        double span = t.times.get(t.times.size() - 1) - t.times.get(0);
        return Math.abs(t.velocity * span) >= settings.movingMinChannels();
    }

    private void decideClass(Track t) {
        double total = 0;
        String best = null;
        double bestSum = -1;
        boolean moving = moving(t);
        for (Map.Entry<String, Double> e : t.classSums.entrySet()) {
            if (moving && settings.stationaryClasses().contains(e.getKey())) {
                continue; // a leak or a dig does not travel along the fiber
            }
            total += e.getValue();
            if (e.getValue() > bestSum) {
                best = e.getKey();
                bestSum = e.getValue();
            }
        }
        t.confidence = total > 0 ? bestSum / total : 0;
        double anomalousFraction = t.cells == 0 ? 0 : (double) t.anomalous / t.cells;
        if (best == null || (t.confidence < settings.minClassConfidence()
                && anomalousFraction >= settings.unknownAnomalyFraction())) {
            t.eventClass = UNKNOWN_EVENT;
        } else {
            t.eventClass = best;
        }
    }

    private static void thin(Track t) {
        List<Long> times = new ArrayList<>();
        List<Double> centres = new ArrayList<>();
        for (int i = 0; i < t.times.size(); i += 2) {
            times.add(t.times.get(i));
            centres.add(t.centres.get(i));
        }
        t.times.clear();
        t.times.addAll(times);
        t.centres.clear();
        t.centres.addAll(centres);
    }

    /** Least-squares slope of centre over time (channels per microsecond); 0 with fewer than 3 points. */
    static double slope(List<Long> times, List<Double> centres) {
        int n = times.size();
        if (n < 3) {
            return 0;
        }
        double t0 = times.get(0);
        double mt = 0;
        double mc = 0;
        for (int i = 0; i < n; i++) {
            mt += times.get(i) - t0;
            mc += centres.get(i);
        }
        mt /= n;
        mc /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            double dt = times.get(i) - t0 - mt;
            num += dt * (centres.get(i) - mc);
            den += dt * dt;
        }
        return den > 0 ? num / den : 0;
    }

    private static double eventScore(Cell c, int bg) {
        if (bg < 0 || bg >= c.probabilities().length) {
            double m = 0;
            for (double p : c.probabilities()) {
                m = Math.max(m, p);
            }
            return m;
        }
        return 1 - c.probabilities()[bg];
    }

    private List<Detection> detections(List<Cell> cells, int bg) {
        List<Cell> active = new ArrayList<>();
        for (Cell c : cells) {
            if (eventScore(c, bg) > settings.threshold()) {
                active.add(c);
            }
        }
        active.sort(Comparator.comparingInt(Cell::channel));
        List<Detection> out = new ArrayList<>();
        List<Cell> run = new ArrayList<>();
        int runClass = -2;
        boolean runSure = false;
        for (Cell c : active) {
            int dominant = dominant(c, bg);
            boolean sure = share(c, dominant, bg) >= settings.splitClassShare();
            if (!run.isEmpty() && (c.channel() - run.get(run.size() - 1).channel() > settings.groupChannels() + 1
                    || (dominant != runClass && sure && runSure))) {
                out.add(detection(run, bg));
                run = new ArrayList<>();
            }
            runClass = dominant;
            runSure = sure;
            run.add(c);
        }
        if (!run.isEmpty()) {
            out.add(detection(run, bg));
        }
        return out;
    }

    /** The share of a cell's event score its class {@code k} holds. */
    private static double share(Cell c, int k, int bg) {
        double score = eventScore(c, bg);
        return k < 0 || score <= 0 ? 0 : c.probabilities()[k] / score;
    }

    /** The most probable event class of a cell (index), -1 when it has none. */
    private static int dominant(Cell c, int bg) {
        int best = -1;
        for (int k = 0; k < c.probabilities().length; k++) {
            if (k != bg && (best < 0 || c.probabilities()[k] > c.probabilities()[best])) {
                best = k;
            }
        }
        return best;
    }

    private static Detection detection(List<Cell> run, int bg) {
        double w = 0;
        double wc = 0;
        double peak = -1;
        int peakChannel = run.get(0).channel();
        for (Cell c : run) {
            double s = eventScore(c, bg);
            w += s;
            wc += s * c.channel();
            if (s > peak) {
                peak = s;
                peakChannel = c.channel();
            }
        }
        return new Detection(run.get(0).channel(), run.get(run.size() - 1).channel(), w > 0 ? wc / w
                : run.get(0).channel(), peak, peakChannel, Collections.unmodifiableList(run), dominant(run.get(0), bg));
    }

    /** Open incidents of every fiber (snapshots), oldest first. */
    public List<Incident> openIncidents() {
        List<Incident> out = new ArrayList<>();
        for (Map.Entry<String, FiberState> e : fibers.entrySet()) {
            for (Track t : e.getValue().tracks) {
                if (t.open) {
                    out.add(end(t.snapshot(OPEN, e.getKey()), t));
                }
            }
        }
        out.sort(Comparator.comparingLong(Incident::startMicros).thenComparing(Incident::id));
        return out;
    }

    /** The tracker as bytes ({@link IncidentStateCodec}, versioned). */
    public byte[] toBytes() {
        return IncidentStateCodec.encode(this);
    }

    /** A tracker from {@link #toBytes} with {@code settings}; an unknown encoding version is a clear error. */
    public static IncidentTracker fromBytes(byte[] bytes, Settings settings) {
        return IncidentStateCodec.decode(bytes, settings);
    }
}
