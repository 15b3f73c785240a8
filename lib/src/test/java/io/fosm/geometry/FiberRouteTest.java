package io.fosm.geometry;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FiberRouteTest {
    /** 0.01 degree of longitude on the equator, on the mean-radius sphere. */
    private static final double HUNDREDTH_DEGREE_M = 6_371_008.8 * Math.toRadians(0.01);

    private static final String CSV = """
            # tap tests of fiber idas, spacing 1 m
            type,channel,to_channel,optical_m,to_optical_m,chainage_m,latitude,longitude
            dead_zone,0,100,,,,,
            calibration,100,,,,0,,
            slack_loop,,,400,500,,,
            calibration,,,1100,,900,,
            vertex,,,,,,0.0,0.0
            vertex,,,,,,0.0,0.01
            """;

    private static final String GEOJSON = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0.0, 0.0], [0.01, 0.0]]},
               "properties": {"name": "pipeline A"}},
              {"type": "Feature", "geometry": null, "properties": {"type": "dead_zone", "channel": 0, "to_channel": 100}},
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 0.0]},
               "properties": {"type": "calibration", "channel": 100, "chainage_m": 0}},
              {"type": "Feature", "geometry": null, "properties": {"type": "slack_loop", "optical_m": 400, "to_optical_m": 500}},
              {"type": "Feature", "geometry": null, "properties": {"type": "calibration", "optical_m": 1100, "chainage_m": 900}}
            ]}
            """;

    @Test
    void withoutARouteTheChainageIsTheOpticalDistance() {
        FiberRoute straight = FiberRoute.straight(1.0209519863128662);
        assertEquals(-118 * 1.0209519863128662, straight.chainageM(-118), 1e-9);
        assertEquals(1033 * 1.0209519863128662, straight.chainageM(1033), 1e-9);
        assertFalse(straight.hasCoordinates());
        assertTrue(Double.isNaN(straight.latitude(10)));
    }

    @Test
    void calibrationPointsSlackLoopsAndDeadZonesMapChannelsToChainage() {
        for (FiberRoute r : new FiberRoute[] {RouteFile.parse("route.csv", CSV, 1.0),
                RouteFile.parse("route.geojson", GEOJSON, 1.0)}) {
            assertTrue(Double.isNaN(r.chainageM(50)), "dead zone: no chainage");
            assertTrue(Double.isNaN(r.chainageM(99.5)), "dead zone up to its end");
            assertEquals(0, r.chainageM(100), 1e-9, "first tap test");
            // 1000 m of fiber between the tap tests, 100 m of it coiled in the loop: 900 m of pipeline
            assertEquals(200, r.chainageM(300), 1e-9);
            assertEquals(300, r.chainageM(400), 1e-9, "loop start");
            assertEquals(300, r.chainageM(450), 1e-9, "the chainage stands still over the slack loop");
            assertEquals(400, r.chainageM(600), 1e-9);
            assertEquals(900, r.chainageM(1100), 1e-9, "last tap test");
            assertTrue(Double.isNaN(r.chainageM(1101)), "off the calibrated route");
            // the line: 0.01 degree along the equator, chainage measured from 0
            assertTrue(r.hasCoordinates());
            assertEquals(0.0, r.latitude(400), 1e-12);
            assertEquals(0.01 * 400 / HUNDREDTH_DEGREE_M, r.longitude(400), 1e-12);
            assertTrue(Double.isNaN(r.longitude(HUNDREDTH_DEGREE_M + 1)), "beyond the line's end");
        }
        assertEquals("km 3.214", FiberRoute.km(3214.4));
        assertEquals("off route", FiberRoute.km(Double.NaN));
    }

    @Test
    void greatCircleDistanceMatchesAKnownCase() {
        // one degree of latitude along a meridian is R * pi / 180 on a sphere
        assertEquals(6_371_008.8 * Math.PI / 180, FiberRoute.greatCircleM(52, 4, 53, 4), 1e-6);
        assertEquals(HUNDREDTH_DEGREE_M, FiberRoute.greatCircleM(0, 0, 0, 0.01), 1e-6);
    }

    @Test
    void badRouteFilesNameTheFileAndTheLine(@TempDir Path dir) throws Exception {
        String noChainage = "type,channel,chainage_m\ncalibration,100,0\ncalibration,200,\n";
        RouteFile.RouteFileException e = assertThrows(RouteFile.RouteFileException.class,
                () -> RouteFile.parse("a.csv", noChainage, 1.0));
        assertEquals("Cannot read route file a.csv: line 3: calibration needs chainage_m", e.getMessage());
        e = assertThrows(RouteFile.RouteFileException.class,
                () -> RouteFile.parse("b.csv", "type,channel,chainage_m\ncalibration,x,0\n", 1.0));
        assertEquals("Cannot read route file b.csv: line 2: channel must be a number, got 'x'", e.getMessage());
        e = assertThrows(RouteFile.RouteFileException.class,
                () -> RouteFile.parse("c.csv", "type,channel,chainage\n", 1.0));
        assertTrue(e.getMessage().startsWith("Cannot read route file c.csv: line 1: unknown column 'chainage'"),
                e.getMessage());
        e = assertThrows(RouteFile.RouteFileException.class,
                () -> RouteFile.parse("d.csv", "type,channel,chainage_m\ncalibration,100,0\n", 1.0));
        assertEquals("Cannot read route file d.csv: at least 2 calibration points are needed, got 1", e.getMessage());
        e = assertThrows(RouteFile.RouteFileException.class,
                () -> RouteFile.parse("e.geojson", "{\"type\": \"FeatureCollection\",\n \"features\": [}", 1.0));
        assertTrue(e.getMessage().startsWith("Cannot read route file e.geojson: line 2: not valid JSON"), e.getMessage());
        e = assertThrows(RouteFile.RouteFileException.class, () -> RouteFile.parse("f.geojson",
                "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {}}]}", 1.0));
        assertTrue(e.getMessage().startsWith("Cannot read route file f.geojson: feature 0: a feature other than the"
                + " LineString needs a 'type' property"), e.getMessage());
        Path file = Files.writeString(dir.resolve("route.csv"), CSV);
        assertEquals(200, RouteFile.read(file, 1.0).chainageM(300), 1e-9);
        e = assertThrows(RouteFile.RouteFileException.class, () -> RouteFile.read(dir.resolve("missing.csv"), 1.0));
        assertTrue(e.getMessage().startsWith("Cannot read route file " + dir.resolve("missing.csv") + ": cannot open it"),
                e.getMessage());
    }
}
