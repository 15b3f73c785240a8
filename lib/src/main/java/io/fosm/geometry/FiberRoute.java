package io.fosm.geometry;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Where a fiber's channels lie along the pipeline: channel -> optical distance -> chainage (metres along the pipeline)
 * -> latitude/longitude. Pure Java, immutable, serializable (it travels to executors).
 *
 * <p>Optical distance of a channel is {@code channel x spacing} (channels are numbered as the interrogator numbers them,
 * so channel 0 is the optical reference point, as in PRODML's locus index). Chainage comes from calibration points of
 * tap tests (a channel or an optical distance -> its chainage): between two points it advances in proportion to the
 * fiber length, not counting slack loops (fiber coiled at one place: the chainage stands still over the loop) and dead
 * zones (fiber not along the pipeline, e.g. inside a station: no chainage, NaN). Outside the first and last calibration
 * points a channel is not on the calibrated route: NaN. Coordinates are interpolated along the route's LineString by
 * chainage (the vertices' chainages are given, or measured along the line by great-circle distance from
 * {@code chainage_start}).
 *
 * <p>Without a route file ({@link #straight}) the chainage of a channel is its optical distance and there are no
 * coordinates.
 */
public final class FiberRoute implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double EARTH_RADIUS_M = 6_371_008.8;

    /** A tap-test calibration point: an optical distance and its chainage. */
    public record Calibration(double opticalM, double chainageM) implements Serializable {}

    /** An interval of optical distance [fromM, toM) that does not advance the chainage. */
    public record Excluded(double fromM, double toM, boolean deadZone) implements Serializable {}

    /** A vertex of the route line: latitude, longitude (degrees) and its chainage. */
    public record Vertex(double latitude, double longitude, double chainageM) implements Serializable {}

    private final double spacingM;
    private final double[] effective;   // calibration points in fiber length without excluded intervals
    private final double[] chainage;
    private final List<Excluded> excluded;
    private final List<Vertex> line;
    private final boolean straight;

    FiberRoute(double spacingM, List<Calibration> calibration, List<Excluded> excluded, List<Vertex> line,
               boolean straight) {
        if (!(spacingM > 0) || Double.isInfinite(spacingM)) {
            throw new IllegalArgumentException("Cannot build a fiber route: channel spacing must be a positive number"
                    + " of metres, cannot be: " + spacingM);
        }
        this.spacingM = spacingM;
        this.straight = straight;
        List<Excluded> ex = new ArrayList<>(excluded);
        ex.sort(Comparator.comparingDouble(Excluded::fromM));
        for (int i = 1; i < ex.size(); i++) {
            if (ex.get(i).fromM() < ex.get(i - 1).toM()) {
                throw new IllegalArgumentException("Cannot build a fiber route: excluded intervals overlap at "
                        + ex.get(i).fromM() + " m");
            }
        }
        this.excluded = List.copyOf(ex);
        List<Calibration> cal = new ArrayList<>(calibration);
        cal.sort(Comparator.comparingDouble(Calibration::opticalM));
        if (!straight && cal.size() < 2) {
            throw new IllegalArgumentException("Cannot build a fiber route: at least 2 calibration points are needed,"
                    + " got " + cal.size());
        }
        this.effective = new double[cal.size()];
        this.chainage = new double[cal.size()];
        for (int i = 0; i < cal.size(); i++) {
            effective[i] = effectiveLength(cal.get(i).opticalM());
            chainage[i] = cal.get(i).chainageM();
            if (i > 0 && !(effective[i] > effective[i - 1])) {
                throw new IllegalArgumentException("Cannot build a fiber route: calibration points at optical "
                        + cal.get(i - 1).opticalM() + " m and " + cal.get(i).opticalM() + " m leave no fiber length"
                        + " between them (same point, or only slack loop / dead zone in between)");
            }
        }
        this.line = List.copyOf(line);
        for (int i = 1; i < line.size(); i++) {
            if (!(line.get(i).chainageM() >= line.get(i - 1).chainageM())) {
                throw new IllegalArgumentException("Cannot build a fiber route: the line's chainage must not decrease"
                        + " along it (vertex " + i + ")");
            }
        }
    }

    /** No route file: chainage = optical distance = channel x spacing, no coordinates. */
    public static FiberRoute straight(double spacingM) {
        return new FiberRoute(spacingM, List.of(), List.of(), List.of(), true);
    }

    /** A calibrated route. */
    public static FiberRoute calibrated(double spacingM, List<Calibration> calibration, List<Excluded> excluded,
                                        List<Vertex> line) {
        return new FiberRoute(spacingM, calibration, excluded, line, false);
    }

    public double spacingM() {
        return spacingM;
    }

    /** Whether {@link #latitude}/{@link #longitude} give coordinates (a route line was given). */
    public boolean hasCoordinates() {
        return !line.isEmpty();
    }

    /** Optical distance of a channel along the fiber, metres. */
    public double opticalM(double channel) {
        return channel * spacingM;
    }

    /** Chainage of a channel along the pipeline, metres; NaN in a dead zone or off the calibrated route. */
    public double chainageM(double channel) {
        return chainageAtOptical(opticalM(channel));
    }

    /** Chainage at an optical distance, metres; NaN in a dead zone or off the calibrated route. */
    public double chainageAtOptical(double opticalM) {
        if (straight) {
            return opticalM;
        }
        for (Excluded e : excluded) {
            if (e.deadZone() && opticalM >= e.fromM() && opticalM < e.toM()) {
                return Double.NaN;
            }
        }
        double x = effectiveLength(opticalM);
        if (x < effective[0] || x > effective[effective.length - 1]) {
            return Double.NaN;
        }
        int i = 1;
        while (i < effective.length - 1 && x > effective[i]) {
            i++;
        }
        double f = (x - effective[i - 1]) / (effective[i] - effective[i - 1]);
        return chainage[i - 1] + f * (chainage[i] - chainage[i - 1]);
    }

    /** Latitude at a chainage (degrees), NaN without a line or beyond its ends. */
    public double latitude(double chainageM) {
        return interpolate(chainageM, true);
    }

    /** Longitude at a chainage (degrees), NaN without a line or beyond its ends. */
    public double longitude(double chainageM) {
        return interpolate(chainageM, false);
    }

    private double interpolate(double c, boolean lat) {
        if (line.size() < 2 || Double.isNaN(c) || c < line.get(0).chainageM() || c > line.get(line.size() - 1).chainageM()) {
            return Double.NaN;
        }
        int i = 1;
        while (i < line.size() - 1 && c > line.get(i).chainageM()) {
            i++;
        }
        Vertex a = line.get(i - 1);
        Vertex b = line.get(i);
        double span = b.chainageM() - a.chainageM();
        double f = span == 0 ? 0 : (c - a.chainageM()) / span;
        return lat ? a.latitude() + f * (b.latitude() - a.latitude()) : a.longitude() + f * (b.longitude() - a.longitude());
    }

    /** Fiber length up to an optical distance, without the excluded intervals below it. */
    private double effectiveLength(double opticalM) {
        double out = opticalM;
        for (Excluded e : excluded) {
            if (opticalM > e.fromM()) {
                out -= Math.min(opticalM, e.toM()) - e.fromM();
            }
        }
        return out;
    }

    /** Vertices with chainage measured along the line by great-circle distance from {@code startChainageM}. */
    public static List<Vertex> measured(List<double[]> latLon, double startChainageM) {
        List<Vertex> out = new ArrayList<>();
        double c = startChainageM;
        for (int i = 0; i < latLon.size(); i++) {
            if (i > 0) {
                c += greatCircleM(latLon.get(i - 1)[0], latLon.get(i - 1)[1], latLon.get(i)[0], latLon.get(i)[1]);
            }
            out.add(new Vertex(latLon.get(i)[0], latLon.get(i)[1], c));
        }
        return out;
    }

    /** Haversine distance in metres on a sphere of the mean Earth radius. */
    public static double greatCircleM(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double h = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    /** A chainage as operators say it: {@code km 3.214} (metres to three decimals of a kilometre); "off route" for NaN. */
    public static String km(double chainageM) {
        return Double.isNaN(chainageM) ? "off route" : String.format(Locale.ROOT, "km %.3f", chainageM / 1000);
    }
}
