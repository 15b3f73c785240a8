package io.fosm.geometry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a fiber route file into a {@link FiberRoute}: CSV ({@code .csv}) or GeoJSON ({@code .geojson}, {@code .json}).
 * Errors name the file and the line (CSV) or feature (GeoJSON): {@code Cannot read route file X: line N: ...}.
 *
 * <p>CSV: a header row naming the columns (any order, unused ones may be left out) {@code type, channel, to_channel,
 * optical_m, to_optical_m, chainage_m, latitude, longitude}; {@code #} starts a comment line. Row types:
 * <ul>
 *   <li>{@code calibration}: a tap test: {@code channel} or {@code optical_m}, and its {@code chainage_m};
 *   <li>{@code slack_loop} / {@code dead_zone}: an interval of fiber, {@code channel..to_channel} or
 *       {@code optical_m..to_optical_m} (end exclusive): a slack loop holds the chainage still, a dead zone has none;
 *   <li>{@code vertex}: a point of the route line, {@code latitude, longitude} in degrees (WGS84), optionally its
 *       {@code chainage_m} (all vertices or none; without, measured along the line from 0).
 * </ul>
 *
 * <p>GeoJSON: a FeatureCollection whose LineString feature is the route ({@code [longitude, latitude]} coordinates;
 * properties {@code chainage_start_m} (default 0) or {@code chainages_m}, one per vertex), and whose other features
 * carry the same {@code type} and fields as the CSV rows in their properties.
 */
public final class RouteFile {
    private RouteFile() {}

    /** A route file that cannot be read; the message names the file and the place. */
    public static final class RouteFileException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public RouteFileException(String file, String where, String what) {
            super("Cannot read route file " + file + ": " + where + what);
        }
    }

    /** Parses route text; {@code name} decides the format (.csv, else GeoJSON) and names the file in errors. */
    public static FiberRoute parse(String name, String text, double spacingM) {
        String lower = name.toLowerCase(Locale.ROOT);
        Builder b = new Builder(name, spacingM);
        if (lower.endsWith(".csv")) {
            csv(name, text, b);
        } else if (lower.endsWith(".geojson") || lower.endsWith(".json")) {
            geojson(name, text, b);
        } else {
            throw new RouteFileException(name, "", "expected a .csv or .geojson (.json) file");
        }
        return b.build();
    }

    /** Reads a local route file. */
    public static FiberRoute read(java.nio.file.Path file, double spacingM) {
        try {
            return parse(file.toString(), java.nio.file.Files.readString(file), spacingM);
        } catch (java.io.IOException e) {
            throw new RouteFileException(file.toString(), "", "cannot open it (" + e.getMessage() + ")");
        }
    }

    private static final List<String> COLUMNS = List.of("type", "channel", "to_channel", "optical_m", "to_optical_m",
            "chainage_m", "latitude", "longitude");

    private static void csv(String name, String text, Builder b) {
        String[] lines = text.split("\r?\n", -1);
        Map<String, Integer> header = null;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (n + 1) + ": ";
            String[] cells = line.split(",", -1);
            if (header == null) {
                header = new HashMap<>();
                for (int i = 0; i < cells.length; i++) {
                    String col = cells[i].trim().toLowerCase(Locale.ROOT);
                    if (!COLUMNS.contains(col)) {
                        throw new RouteFileException(name, where, "unknown column '" + cells[i].trim()
                                + "' in the header, expected columns of " + COLUMNS);
                    }
                    header.put(col, i);
                }
                if (!header.containsKey("type")) {
                    throw new RouteFileException(name, where, "the header has no 'type' column");
                }
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (Map.Entry<String, Integer> h : header.entrySet()) {
                if (h.getValue() < cells.length && !cells[h.getValue()].isBlank()) {
                    row.put(h.getKey(), cells[h.getValue()].trim());
                }
            }
            if (cells.length > header.size()) {
                throw new RouteFileException(name, where, "expected " + header.size() + " cells, got " + cells.length);
            }
            b.add(where, row);
        }
        if (header == null) {
            throw new RouteFileException(name, "", "the file is empty (expected a header row and calibration rows)");
        }
    }

    private static void geojson(String name, String text, Builder b) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new RouteFileException(name, "line " + line + ": ", "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new RouteFileException(name, "", "expected a GeoJSON FeatureCollection object");
        }
        List<JsonNode> features = new ArrayList<>();
        if ("FeatureCollection".equals(root.path("type").asText())) {
            root.path("features").forEach(features::add);
        } else if ("Feature".equals(root.path("type").asText())) {
            features.add(root);
        } else {
            throw new RouteFileException(name, "", "expected a GeoJSON FeatureCollection or Feature, got type '"
                    + root.path("type").asText() + "'");
        }
        for (int i = 0; i < features.size(); i++) {
            JsonNode f = features.get(i);
            String where = "feature " + i + ": ";
            JsonNode geometry = f.path("geometry");
            JsonNode props = f.path("properties");
            if ("LineString".equals(geometry.path("type").asText())) {
                JsonNode coords = geometry.path("coordinates");
                JsonNode chainages = props.path("chainages_m");
                double start = props.has("chainage_start_m") ? number(name, where, "chainage_start_m",
                        props.get("chainage_start_m").asText()) : 0;
                for (int v = 0; v < coords.size(); v++) {
                    JsonNode c = coords.get(v);
                    if (!c.isArray() || c.size() < 2 || !c.get(0).isNumber() || !c.get(1).isNumber()) {
                        throw new RouteFileException(name, where, "coordinate " + v + " is not [longitude, latitude]");
                    }
                    Map<String, String> row = new HashMap<>();
                    row.put("type", "vertex");
                    row.put("longitude", c.get(0).asText());
                    row.put("latitude", c.get(1).asText());
                    if (chainages.isArray()) {
                        if (chainages.size() != coords.size()) {
                            throw new RouteFileException(name, where, "chainages_m has " + chainages.size()
                                    + " values for " + coords.size() + " coordinates");
                        }
                        row.put("chainage_m", chainages.get(v).asText());
                    }
                    b.add(where, row);
                }
                b.lineStart(start);
                continue;
            }
            Map<String, String> row = new HashMap<>();
            props.fields().forEachRemaining(e -> {
                if (COLUMNS.contains(e.getKey()) && !e.getValue().isNull()) {
                    row.put(e.getKey(), e.getValue().asText());
                }
            });
            if (!row.containsKey("type")) {
                throw new RouteFileException(name, where, "a feature other than the LineString needs a 'type' property"
                        + " (calibration, slack_loop, dead_zone)");
            }
            b.add(where, row);
        }
    }

    private static double number(String file, String where, String key, String value) {
        try {
            double v = Double.parseDouble(value);
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new RouteFileException(file, where, key + " must be a number, got '" + value + "'");
        }
    }

    /** Collects rows, then builds the route (and turns its argument errors into file errors). */
    private static final class Builder {
        final String file;
        final double spacing;
        final List<FiberRoute.Calibration> calibration = new ArrayList<>();
        final List<FiberRoute.Excluded> excluded = new ArrayList<>();
        final List<double[]> vertices = new ArrayList<>();   // lat, lon, chainage (NaN if not given)
        double lineStart;

        Builder(String file, double spacing) {
            this.file = file;
            this.spacing = spacing;
        }

        void lineStart(double start) {
            lineStart = start;
        }

        double get(String where, Map<String, String> row, String key) {
            String v = row.get(key);
            if (v == null) {
                throw new RouteFileException(file, where, row.get("type") + " needs " + key);
            }
            return number(file, where, key, v);
        }

        /** optical distance from channel or optical column, named e.g. channel/optical_m or to_channel/to_optical_m. */
        double optical(String where, Map<String, String> row, String channelKey, String opticalKey) {
            if (row.containsKey(opticalKey)) {
                return get(where, row, opticalKey);
            }
            if (row.containsKey(channelKey)) {
                return get(where, row, channelKey) * spacing;
            }
            throw new RouteFileException(file, where, row.get("type") + " needs " + channelKey + " or " + opticalKey);
        }

        void add(String where, Map<String, String> row) {
            String type = row.get("type");
            switch (type == null ? "" : type.toLowerCase(Locale.ROOT)) {
                case "calibration" -> calibration.add(new FiberRoute.Calibration(
                        optical(where, row, "channel", "optical_m"), get(where, row, "chainage_m")));
                case "slack_loop", "dead_zone" -> {
                    double from = optical(where, row, "channel", "optical_m");
                    double to = optical(where, row, "to_channel", "to_optical_m");
                    if (!(to > from)) {
                        throw new RouteFileException(file, where, type + " must end after it starts, got " + from
                                + " m .. " + to + " m");
                    }
                    excluded.add(new FiberRoute.Excluded(from, to, type.equalsIgnoreCase("dead_zone")));
                }
                case "vertex" -> {
                    double lat = get(where, row, "latitude");
                    double lon = get(where, row, "longitude");
                    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
                        throw new RouteFileException(file, where, "latitude/longitude out of range: " + lat + ", " + lon);
                    }
                    vertices.add(new double[] {lat, lon,
                            row.containsKey("chainage_m") ? get(where, row, "chainage_m") : Double.NaN});
                }
                default -> throw new RouteFileException(file, where, "unknown type '" + type
                        + "', expected calibration, slack_loop, dead_zone or vertex");
            }
        }

        FiberRoute build() {
            List<FiberRoute.Vertex> line = new ArrayList<>();
            long given = vertices.stream().filter(v -> !Double.isNaN(v[2])).count();
            if (given == vertices.size()) {
                vertices.forEach(v -> line.add(new FiberRoute.Vertex(v[0], v[1], v[2])));
            } else if (given == 0) {
                line.addAll(FiberRoute.measured(vertices.stream().map(v -> new double[] {v[0], v[1]}).toList(),
                        lineStart));
            } else {
                throw new RouteFileException(file, "", "give chainage_m for every vertex of the line or for none ("
                        + given + " of " + vertices.size() + " have one)");
            }
            if (line.size() == 1) {
                throw new RouteFileException(file, "", "the route line needs at least 2 vertices, got 1");
            }
            try {
                return FiberRoute.calibrated(spacing, calibration, excluded, line);
            } catch (IllegalArgumentException e) {
                throw new RouteFileException(file, "", e.getMessage().replace("Cannot build a fiber route: ", ""));
            }
        }
    }
}
