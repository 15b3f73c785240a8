package io.fosm.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reader against the real sample files and an independent Python reader of the same file (h5py, npTDMS,
 * segyio in lib/src/test/python/das_reference.py, run with the project's .venv): shape, rate, start time, spacing,
 * start channel and distance, gauge length, unit, stored type, per-channel sums and sums of squares, NaN counts and
 * values at fixed positions must agree.
 */
class DasReadersCrossCheckTest {

    private static final Map<String, String> FORMATS = Map.of(
            "prodml_2.0.h5", "prodml", "iDAS005_hdf5_example.626.h5", "prodml",
            "iDAS005_tdms_example.626.tdms", "silixa_tdms", "terra15_v5_test_file.hdf5", "terra15",
            "febus_2.h5", "febus", "ap_sensing_1.hdf5", "ap_sensing", "decimated_optodas.hdf5", "optodas",
            "small_channel_patch.sgy", "segy", "prodml_fbe_1.h5", "prodml_fbe");

    private static JsonNode reference;

    @BeforeAll
    static void runPythonReference() throws Exception {
        Path root = DasSamples.repositoryRoot();
        Path python = root.resolve(".venv/bin/python");
        assertTrue(Files.isExecutable(python), "Cannot run the Python reference readers: " + python
                + " is missing; run `make venv` (installs h5py, npTDMS and segyio from requirements.txt)");
        Path folder = DasSamples.file(DasSamples.FILES.get(0)).getParent();
        Path out = Files.createTempFile("das-reference", ".json");
        Path err = Files.createTempFile("das-reference", ".err");
        Process p = new ProcessBuilder(python.toString(),
                root.resolve("lib/src/test/python/das_reference.py").toString(), folder.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "das_reference.py did not finish in 120 s");
        assertEquals(0, p.exitValue(), "das_reference.py failed (is `make venv` done?): "
                + Files.readString(err, StandardCharsets.UTF_8));
        reference = new ObjectMapper().readTree(out.toFile());
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        assertEquals(DasSamples.FILES.size(), reference.size(), "reference covers every sample file");
    }

    @Test
    void everyRawReaderAgreesWithThePythonReference() throws Exception {
        for (String name : DasSamples.FILES) {
            if (name.equals("prodml_fbe_1.h5")) {
                continue;
            }
            try (DasRecording r = DasReaders.open(DasSamples.file(name))) {
                compare(name, r.info(), r.readChannels(0, r.info().channels()), reference.get(name));
                // reading in blocks gives the same values as reading all at once
                int half = r.info().channels() / 2;
                double[] all = r.readChannels(0, r.info().channels());
                double[] tail = r.readChannels(half, r.info().channels() - half);
                for (int i = 0; i < tail.length; i++) {
                    assertEquals(Double.doubleToLongBits(all[half * r.info().timeSamples() + i]),
                            Double.doubleToLongBits(tail[i]), name + " block read differs at " + i);
                }
            }
        }
    }

    @Test
    void bandEnergyReaderAgreesWithThePythonReference() throws Exception {
        JsonNode ref = reference.get("prodml_fbe_1.h5");
        try (BandEnergyRecording r = DasReaders.openBandEnergy(DasSamples.file("prodml_fbe_1.h5"))) {
            compare("prodml_fbe_1.h5", r.info(), r.readBand(1, 0, r.info().channels()), ref);
            assertEquals(ref.get("bands").size(), r.bands().size());
            for (int b = 0; b < r.bands().size(); b++) {
                assertEquals(ref.get("bands").get(b).get(0).asDouble(), r.bands().get(b).lowHz(), 0.0);
                assertEquals(ref.get("bands").get(b).get(1).asDouble(), r.bands().get(b).highHz(), 0.0);
            }
        }
    }

    private static void compare(String name, DasFileInfo info, double[] data, JsonNode ref) {
        assertEquals(FORMATS.get(name), info.format(), name + " format");
        assertEquals(ref.get("channels").asInt(), info.channels(), name + " channels");
        assertEquals(ref.get("time_samples").asInt(), info.timeSamples(), name + " time samples");
        assertEquals(ref.get("rate").asDouble(), info.sampleRateHz(), 1e-9 * info.sampleRateHz(), name + " rate");
        assertEquals(ref.get("start_us").asLong(), info.startTimeMicros(), name + " start time");
        assertOptional(ref.get("spacing"), info.channelSpacingMetres(), name + " spacing");
        assertOptional(ref.get("start_distance"), info.startDistanceMetres(), name + " start distance");
        assertOptional(ref.get("gauge"), info.gaugeLengthMetres(), name + " gauge length");
        assertEquals(ref.get("start_channel").asInt(), info.startChannel(), name + " start channel");
        assertEquals(ref.get("unit").asText(), info.unit(), name + " unit");
        assertEquals(ref.get("dtype").asText(), info.dataType(), name + " data type");
        assertEquals(1.0, info.scale(), name + " scale");
        int nt = info.timeSamples();
        for (int c = 0; c < info.channels(); c++) {
            double sum = 0;
            double squares = 0;
            int nans = 0;
            for (int t = 0; t < nt; t++) {
                double v = data[c * nt + t];
                if (Double.isNaN(v)) {
                    nans++;
                } else {
                    sum += v;
                    squares += v * v;
                }
            }
            double refSum = ref.get("channel_sums").get(c).asDouble();
            double refSquares = ref.get("channel_squares").get(c).asDouble();
            assertEquals(ref.get("channel_nans").get(c).asInt(), nans, name + " NaNs of channel " + c);
            assertEquals(refSum, sum, 1e-9 * Math.max(1, refSquares), name + " sum of channel " + c);
            assertEquals(refSquares, squares, 1e-9 * Math.max(1e-30, refSquares), name + " squares of channel " + c);
        }
        for (JsonNode v : ref.get("values")) {
            int c = v.get(0).asInt();
            int t = v.get(1).asInt();
            double got = data[c * nt + t];
            if (v.get(2).isNull()) {
                assertTrue(Double.isNaN(got), name + " [" + c + "," + t + "] is NaN in Python");
            } else {
                assertEquals(v.get(2).asDouble(), got, 0.0, name + " value at channel " + c + ", time " + t);
            }
        }
    }

    private static void assertOptional(JsonNode ref, double actual, String what) {
        if (ref == null || ref.isNull()) {
            assertTrue(Double.isNaN(actual), what + " is not declared, expected NaN, got " + actual);
        } else {
            assertEquals(ref.asDouble(), actual, 1e-9 * Math.max(1, Math.abs(actual)), what);
        }
    }

}
