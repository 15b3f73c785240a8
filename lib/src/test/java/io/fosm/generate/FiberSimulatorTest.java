package io.fosm.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.record.MalformedRecordException;
import org.jtransforms.fft.DoubleFFT_1D;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FiberSimulatorTest {

    private static final int CHANNELS = 64;
    private static final int SECONDS = 120;
    private static final double FS = 1000;

    private static Path shared;

    private static FiberSimulator sim;
    private static GenerateResult result;
    /** samples[channel][second]. */
    private static float[][][] samples;

    @BeforeAll
    static void generate() throws IOException {
        shared = TestDirs.fresh("fiber");
        GeneratorConfig cfg = GeneratorConfig.builder().output(shared.resolve("out").toString()).channels(CHANNELS)
                .durationSeconds(SECONDS).seed(7).build();
        sim = new FiberSimulator(cfg);
        result = sim.run();
        samples = new float[CHANNELS][SECONDS][];
        for (Path f : landingFiles(shared.resolve("out"), "fiber-1")) {
            for (ChunkRecord r : ChunkCodec.decodeFile(Files.readAllBytes(f))) {
                int second = (int) ((r.chunkStartMicros() - cfg.startMicros()) / 1_000_000L);
                samples[r.channel()][second] = r.samples();
            }
        }
    }

    static List<Path> landingFiles(Path out, String fiber) throws IOException {
        try (Stream<Path> s = Files.list(out.resolve("landing").resolve(fiber))) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesOneRecordPerChannelAndChunkWithFullChunks() throws IOException {
        List<Path> files = landingFiles(shared.resolve("out"), "fiber-1");
        assertEquals(12, files.size());
        assertEquals(12, result.filesWritten());
        assertEquals("fiber-1_20260101T000000Z_000000.fosf", files.get(0).getFileName().toString());
        assertEquals("fiber-1_20260101T000150Z_000011.fosf", files.get(11).getFileName().toString());
        long records = 0;
        Set<Long> seqs = new java.util.HashSet<>();
        for (Path f : files) {
            List<ChunkRecord> rs = ChunkCodec.decodeFile(Files.readAllBytes(f));
            assertEquals(CHANNELS * 10, rs.size());
            for (ChunkRecord r : rs) {
                assertEquals(1000, r.sampleCount());
                assertEquals(FS, r.sampleRate());
                assertEquals("iu-1", r.interrogatorId());
                assertTrue(seqs.add(r.seq()));
                for (float v : r.samples()) {
                    assertTrue(Float.isFinite(v));
                }
            }
            records += rs.size();
        }
        assertEquals((long) CHANNELS * SECONDS, records);
        assertEquals(records, result.records());
        assertEquals(records * 1000, result.samples());
        for (float[][] ch : samples) {
            for (float[] s : ch) {
                assertNotNull(s);
            }
        }
        // no temp files or checksum sidecars left behind
        try (Stream<Path> all = Files.walk(shared.resolve("out"))) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith(".")));
        }
    }

    @Test
    void everyEventClassIsPresentAndLogged() throws IOException {
        Set<EventType> types = sim.events().stream().map(GroundTruthEvent::type).collect(Collectors.toSet());
        assertEquals(EnumSet.of(EventType.LEAK, EventType.DIGGING, EventType.WALKING, EventType.VEHICLE, EventType.PIG),
                types);
        assertTrue(sim.events().size() >= 5 && sim.events().size() <= 16, "events: " + sim.events().size());
        List<String> lines = Files.readAllLines(shared.resolve("out/events/fiber-1_events.jsonl"));
        assertEquals(sim.events().size(), lines.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = json.readTree(lines.get(i));
            GroundTruthEvent e = sim.events().get(i);
            assertEquals(List.of("event_id", "fiber_id", "event_type", "start_time", "end_time",
                    "center_channel_start", "center_channel_end", "half_width_channels", "speed_mps",
                    "peak_amplitude", "drift"), iterable(n));
            assertEquals(e.eventId(), n.get("event_id").asText());
            assertEquals(e.type().label(), n.get("event_type").asText());
            assertEquals(GroundTruthEvent.iso(e.startMicros()), n.get("start_time").asText());
            assertTrue(n.get("start_time").asText().compareTo(n.get("end_time").asText()) < 0);
            assertFalse(n.get("drift").asBoolean());
            double c0 = n.get("center_channel_start").asDouble();
            double c1 = n.get("center_channel_end").asDouble();
            if (e.type() == EventType.LEAK || e.type() == EventType.DIGGING) {
                assertEquals(c0, c1);
                assertEquals(0.0, n.get("speed_mps").asDouble());
            } else {
                assertTrue(c0 != c1, e.toString());
            }
            assertTrue(c0 >= 0 && c0 <= CHANNELS - 1 && c1 >= 0 && c1 <= CHANNELS - 1, e.toString());
        }
        // not all piled on the same channels
        Set<Long> centres = sim.events().stream().map(e -> Math.round(e.centerChannelStart() / 8))
                .collect(Collectors.toSet());
        assertTrue(centres.size() >= 3, "centres: " + centres);
    }

    private static List<String> iterable(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void leakRaisesItsBandOnItsChannel() {
        for (GroundTruthEvent e : events(EventType.LEAK)) {
            // the leak grows: look at the last seconds before its fade-out
            int second = (int) ((e.endMicros() - GeneratorConfig.DEFAULT_START_MICROS) / 1_000_000L) - 3;
            assertEventBand(e, second, 0, 1000, 100, 400, 4);
        }
    }

    @Test
    void vehicleRaisesLowBandWhereItIs() {
        for (GroundTruthEvent e : events(EventType.VEHICLE)) {
            long mid = (e.startMicros() + e.endMicros()) / 2;
            int second = (int) ((mid - GeneratorConfig.DEFAULT_START_MICROS) / 1_000_000L);
            int offset = (int) ((mid - GeneratorConfig.DEFAULT_START_MICROS) / 1000 % 1000);
            int from = Math.max(0, Math.min(1000 - 256, offset - 128));
            assertEventBand(e, second, from, 256, 5, 40, 4);
        }
    }

    /** A pig is heard all along its path (cup friction), not only at the welds where it knocks. */
    @Test
    void pigFrictionIsAudibleBetweenWelds() {
        for (GroundTruthEvent e : events(EventType.PIG)) {
            long mid = (e.startMicros() + e.endMicros()) / 2;
            int second = (int) ((mid - GeneratorConfig.DEFAULT_START_MICROS) / 1_000_000L);
            assertEventBand(e, second, 0, 1000, 20, 200, 2);
        }
    }

    private List<GroundTruthEvent> events(EventType type) {
        List<GroundTruthEvent> list = sim.events().stream().filter(e -> e.type() == type).toList();
        assertFalse(list.isEmpty());
        return list;
    }

    /** Band power on the nearest healthy covered channel vs the quietest-placed healthy channel at the same time. */
    private void assertEventBand(GroundTruthEvent e, int second, int from, int n, double lo, double hi,
                                 double minRatio) {
        long micros = GeneratorConfig.DEFAULT_START_MICROS + second * 1_000_000L + from * 1000L + n * 500L;
        double centre = e.centerAt(micros);
        int on = -1;
        for (int d = 0; d <= CHANNELS; d++) {
            for (int c : new int[] {(int) Math.round(centre) - d, (int) Math.round(centre) + d}) {
                if (on < 0 && c >= 0 && c < CHANNELS && healthy(c) && Math.abs(c - centre) <= e.halfWidthChannels()) {
                    on = c;
                }
            }
        }
        assertTrue(on >= 0, "no healthy channel under " + e);
        int far = -1;
        double best = -1;
        for (int c = 0; c < CHANNELS; c++) {
            int ch = c;
            boolean quiet = healthy(c) && sim.events().stream().noneMatch(o -> o.covers(ch, micros)
                    || Math.abs(ch - o.centerAt(micros)) <= o.halfWidthChannels() + 2
                    && micros >= o.startMicros() && micros < o.endMicros());
            double dist = Math.abs(c - centre);
            if (quiet && dist > best) {
                best = dist;
                far = c;
            }
        }
        assertTrue(far >= 0);
        double pOn = bandPower(Arrays.copyOfRange(samples[on][second], from, from + n), lo, hi);
        double pFar = bandPower(Arrays.copyOfRange(samples[far][second], from, from + n), lo, hi);
        assertTrue(pOn > minRatio * pFar, e.type() + " " + e.eventId() + " on channel " + on + " vs " + far
                + ": band power " + pOn + " vs " + pFar);
    }

    private static boolean healthy(int c) {
        FiberLayout l = sim.layout();
        return !l.deadChannels().contains(c) && !l.fadedChannels().contains(c) && !l.humChannels().contains(c);
    }

    static double bandPower(float[] x, double lo, double hi) {
        double[] power = spectrum(x);
        double binHz = FS / x.length;
        double sum = 0;
        for (int k = 0; k < power.length; k++) {
            if (k * binHz >= lo && k * binHz <= hi) {
                sum += power[k];
            }
        }
        return sum;
    }

    /** |X(k)|^2 for k = 0..n/2-1. */
    static double[] spectrum(float[] x) {
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = x[i];
        }
        new DoubleFFT_1D(a.length).realForward(a);
        double[] p = new double[a.length / 2];
        p[0] = a[0] * a[0];
        for (int k = 1; k < p.length; k++) {
            p[k] = a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1];
        }
        return p;
    }

    @Test
    void humChannelsPeakAt50Hz() {
        assertTrue(sim.layout().humSites().size() >= 2);
        for (FiberLayout.HumSite site : sim.layout().humSites()) {
            double[] p = spectrum(samples[site.centerChannel()][5]);
            double others = 0;
            for (int k = 30; k <= 70; k++) {
                if (Math.abs(k - 50) > 1) {
                    others = Math.max(others, p[k]);
                }
            }
            assertTrue(p[50] > 20 * others, "hum at channel " + site.centerChannel() + ": " + p[50] + " vs " + others);
            assertTrue(p[100] > 5 * p[90], "100 Hz harmonic at channel " + site.centerChannel());
        }
    }

    @Test
    void deadChannelsAreNearZeroAndFadedOnesQuiet() {
        double[] rms = new double[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            rms[c] = rms(samples[c][3]);
        }
        double median = Arrays.stream(rms).sorted().toArray()[CHANNELS / 2];
        assertFalse(sim.layout().deadChannels().isEmpty());
        assertFalse(sim.layout().fadedChannels().isEmpty());
        for (int c : sim.layout().deadChannels()) {
            assertTrue(rms[c] < 1e-2 * median, "dead channel " + c + " rms " + rms[c] + " vs median " + median);
        }
        for (int c : sim.layout().fadedChannels()) {
            assertTrue(rms[c] < 0.3 * median, "faded channel " + c + " rms " + rms[c] + " vs median " + median);
        }
    }

    static double rms(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s / x.length);
    }

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes() throws IOException {
        Path dir = TestDirs.fresh("sim");
        GeneratorConfig a = small(dir.resolve("a"), 3).build();
        new FiberSimulator(a).run();
        new FiberSimulator(small(dir.resolve("b"), 3).build()).run();
        new FiberSimulator(small(dir.resolve("c"), 4).build()).run();
        Map<String, byte[]> fa = tree(dir.resolve("a"));
        Map<String, byte[]> fb = tree(dir.resolve("b"));
        Map<String, byte[]> fc = tree(dir.resolve("c"));
        assertEquals(fa.keySet(), fb.keySet());
        for (String k : fa.keySet()) {
            assertArrayEquals(fa.get(k), fb.get(k), k);
        }
        String first = "landing/f1/f1_20260101T000000Z_000000.fosf";
        assertTrue(fa.containsKey(first), fa.keySet().toString());
        assertFalse(Arrays.equals(fa.get(first), fc.get(first)));
    }

    private static GeneratorConfig.Builder small(Path out, long seed) {
        return GeneratorConfig.builder().output(out.toString()).fiberId("f1").channels(16).durationSeconds(20)
                .seed(seed);
    }

    private static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    @Test
    void gainDriftScalesTheSecondHalf() throws IOException {
        Path dir = TestDirs.fresh("sim");
        new FiberSimulator(small(dir.resolve("none"), 9).durationSeconds(40).build()).run();
        GenerateResult gain = new FiberSimulator(small(dir.resolve("gain"), 9).durationSeconds(40)
                .driftMode(DriftMode.GAIN).build()).run();
        assertEquals(4, gain.filesWritten());
        List<ChunkRecord> none = all(dir.resolve("none"));
        List<ChunkRecord> drifted = all(dir.resolve("gain"));
        double firstHalf = 0;
        double secondHalf = 0;
        long onset = GeneratorConfig.DEFAULT_START_MICROS + 20_000_000L;
        for (int i = 0; i < none.size(); i++) {
            ChunkRecord a = none.get(i);
            ChunkRecord b = drifted.get(i);
            if (a.chunkStartMicros() < onset) {
                assertEquals(a, b, "before the onset nothing changes");
                firstHalf += sumSquares(b.samples());
            } else {
                assertEquals(2.5, rms(b.samples()) / rms(a.samples()), 1e-4);
                secondHalf += sumSquares(b.samples());
            }
        }
        assertTrue(Math.sqrt(secondHalf / firstHalf) > 2, "rms ratio " + Math.sqrt(secondHalf / firstHalf));
        List<String> events = Files.readAllLines(dir.resolve("gain/events/f1_events.jsonl"));
        assertTrue(events.stream().allMatch(l -> l.contains("\"drift\":")));
    }

    @Test
    void noiseAndMixDriftChangeOnlyTheSecondHalf() throws IOException {
        Path dir = TestDirs.fresh("sim");
        new FiberSimulator(small(dir.resolve("none"), 9).durationSeconds(40).build()).run();
        FiberSimulator mix = new FiberSimulator(small(dir.resolve("all"), 9).durationSeconds(40)
                .driftMode(DriftMode.ALL).build());
        mix.run();
        FiberSimulator plain = new FiberSimulator(small(dir.resolve("none"), 9).durationSeconds(40).build());
        assertTrue(mix.events().size() >= plain.events().size() + 3, "mix adds vehicles and a hiss");
        assertTrue(mix.events().stream().filter(e -> e.startMicros() >= GeneratorConfig.DEFAULT_START_MICROS
                + 20_000_000L).allMatch(GroundTruthEvent::drift));
        List<ChunkRecord> none = all(dir.resolve("none"));
        List<ChunkRecord> drifted = all(dir.resolve("all"));
        double before = 0;
        double after = 0;
        for (int i = 0; i < none.size(); i++) {
            double ratio = rms(drifted.get(i).samples()) / rms(none.get(i).samples());
            if (none.get(i).chunkStartMicros() < GeneratorConfig.DEFAULT_START_MICROS + 20_000_000L) {
                before = Math.max(before, Math.abs(ratio - 1));
            } else {
                after += ratio / (none.size() / 2.0);
            }
        }
        assertTrue(before < 0.05, "first half unchanged apart from drift events reaching back: " + before);
        assertTrue(after > 5, "gain x2.5 and noise x3: " + after);
    }

    private static double sumSquares(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return s;
    }

    private static List<ChunkRecord> all(Path out) throws IOException {
        List<ChunkRecord> records = new ArrayList<>();
        for (Path f : landingFiles(out, "f1")) {
            records.addAll(ChunkCodec.decodeFile(Files.readAllBytes(f)));
        }
        return records;
    }

    @Test
    void injectedFaultsAreInTheDataAsLogged() throws IOException {
        Path dir = TestDirs.fresh("sim");
        GenerateResult r = new FiberSimulator(small(dir, 5).faultRate(0.2).build()).run();
        assertEquals(2 + 4, r.filesWritten());
        List<String> lines = Files.readAllLines(dir.resolve("events/f1_faults.jsonl"));
        assertEquals(r.faults(), lines.size());
        ObjectMapper json = new ObjectMapper();
        Map<String, List<ChunkRecord>> byFile = new HashMap<>();
        Set<FaultType> seen = EnumSet.noneOf(FaultType.class);
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            FaultType fault = FaultType.valueOf(n.get("fault").asText().toUpperCase());
            seen.add(fault);
            Path file = dir.resolve("landing/f1").resolve(n.get("file").asText());
            if (fault.fileLevel()) {
                MalformedRecordException e = assertThrows(MalformedRecordException.class,
                        () -> ChunkCodec.decodeFile(Files.readAllBytes(file)));
                assertEquals(fault.expectedReason(), e.reason(), fault + ": " + e.getMessage());
                assertEquals(fault.expectedReason().code(), n.get("expected_reason").asText());
                continue;
            }
            List<ChunkRecord> records = byFile.computeIfAbsent(n.get("file").asText(), k -> {
                try {
                    return ChunkCodec.decodeFile(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long seq = n.get("seq").asLong();
            int channel = n.get("channel").asInt();
            long start = n.get("chunk_start_micros").asLong();
            List<ChunkRecord> hits = records.stream().filter(x -> x.seq() == seq).toList();
            ChunkRecord rec = hits.get(0);
            switch (fault) {
                case NAN_SAMPLES -> assertTrue(hasNaN(rec.samples()));
                case WRONG_SAMPLE_COUNT -> assertTrue(rec.sampleCount() < 1000);
                case CHANNEL_OUT_OF_RANGE -> assertTrue(rec.channel() < 0 || rec.channel() >= 16);
                case DUPLICATE_RECORD -> {
                    assertEquals(2, hits.size());
                    assertEquals(hits.get(0), hits.get(1));
                }
                case FUTURE_TIMESTAMP -> assertTrue(rec.chunkStartMicros() >= start + 365L * 86_400_000_000L);
                default -> throw new AssertionError(fault);
            }
            if (fault != FaultType.CHANNEL_OUT_OF_RANGE) {
                assertEquals(channel, rec.channel());
            }
            if (fault != FaultType.FUTURE_TIMESTAMP) {
                assertEquals(start, rec.chunkStartMicros());
            }
        }
        assertEquals(EnumSet.allOf(FaultType.class), seen);
        // every record nobody logged is clean
        Set<Long> logged = lines.stream().map(l -> {
            try {
                JsonNode n = json.readTree(l);
                return n.get("seq").isNull() ? -1L : n.get("seq").asLong();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).collect(Collectors.toSet());
        for (Path f : landingFiles(dir, "f1").stream().filter(p -> p.toString().endsWith("_000000.fosf")
                || p.toString().endsWith("_000001.fosf")).toList()) {
            for (ChunkRecord rec : ChunkCodec.decodeFile(Files.readAllBytes(f))) {
                if (!logged.contains(rec.seq())) {
                    assertEquals(1000, rec.sampleCount());
                    assertFalse(hasNaN(rec.samples()));
                    assertTrue(rec.channel() >= 0 && rec.channel() < 16);
                }
            }
        }
    }

    private static boolean hasNaN(float[] x) {
        for (float v : x) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }
}
