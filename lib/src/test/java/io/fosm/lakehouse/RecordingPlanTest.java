package io.fosm.lakehouse;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.ingest.DasFileInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How consecutive files join into recordings, and how a recording is cut into chunks across file boundaries. */
class RecordingPlanTest {
    private static final long T0 = 1_559_291_930_626_928L;   // the iDAS005 recording's start

    private static DasFileInfo info(long startMicros, int samples, double fs, int channels, int startChannel) {
        return new DasFileInfo("prodml", "2.1", "Silixa", fs, 1.02, startChannel, startChannel * 1.02, startMicros, 10.0,
                "int16", 1.0, "strain rate", samples, channels);
    }

    private static RecordingPlan.FileMeta file(String name, long startMicros, int samples) {
        return new RecordingPlan.FileMeta(name, "idas", info(startMicros, samples, 1000, 3, -2));
    }

    @Test
    void consecutiveFilesJoinOverlapsAreTrimmedGapsAndLayoutChangesStartNewRuns() {
        List<RecordingPlan.FileMeta> files = List.of(
                file("c", T0 + 1_900_000, 1000),   // overlaps b by 100 ms
                file("a", T0, 1000),
                file("b", T0 + 1_000_000, 1000),   // continuous after a
                file("d", T0 + 2_000_000, 500),    // entirely inside c
                file("e", T0 + 5_000_000, 1000),   // a 2.1 s gap after c
                new RecordingPlan.FileMeta("f", "idas", info(T0 + 6_000_000, 200, 200, 3, -2)),   // another rate
                new RecordingPlan.FileMeta("x", "other", info(T0, 10, 1000, 1, 0)));
        RecordingPlan plan = RecordingPlan.plan(files);
        Map<String, RecordingPlan.Boundary> b = plan.boundaries();
        assertEquals(new RecordingPlan.Boundary(RecordingPlan.FIRST, 0, 0, null), b.get("a"));
        assertEquals(new RecordingPlan.Boundary(RecordingPlan.CONTINUOUS, 0, 0, "a"), b.get("b"));
        assertEquals(new RecordingPlan.Boundary(RecordingPlan.OVERLAP, -100_000, 100, "b"), b.get("c"));
        assertEquals(new RecordingPlan.Boundary(RecordingPlan.CONTAINED, -900_000, 500, "c"), b.get("d"));
        assertEquals(new RecordingPlan.Boundary(RecordingPlan.GAP, 2_100_000, 0, "d"), b.get("e"));
        assertEquals(RecordingPlan.LAYOUT_CHANGE, b.get("f").kind());
        assertEquals(RecordingPlan.FIRST, b.get("x").kind(), "each fiber has its own sequence");

        List<RecordingPlan.Run> idas = plan.runs().stream().filter(r -> r.fiberId().equals("idas")).toList();
        assertEquals(3, idas.size());
        assertEquals(List.of(new RecordingPlan.Piece("a", 0, 1000), new RecordingPlan.Piece("b", 0, 1000),
                new RecordingPlan.Piece("c", 100, 900)), idas.get(0).pieces());
        assertEquals(2900, idas.get(0).samples());
        assertEquals(T0 + 5_000_000, idas.get(1).startMicros());
        assertEquals(200.0, idas.get(2).sampleRate());
    }

    @Test
    void aChunkSpansTheFileBoundaryAndTheLastChunkOfARunIsShort() throws Exception {
        RecordingPlan plan = RecordingPlan.plan(List.of(file("a", T0, 1000), file("b", T0 + 1_000_000, 1000),
                file("c", T0 + 1_900_000, 1000)));
        RecordingPlan.Run run = plan.runs().get(0);
        // file k holds value k * 100000 + channel * 1000 + t at (channel, t): every sample says where it came from
        Map<String, Integer> fileIndex = Map.of("a", 0, "b", 1, "c", 2);
        RecordingChunker chunker = new RecordingChunker(run, 1, 2, 400, (path, from, count) -> {
            double[] v = new double[count * 1000];
            for (int c = 0; c < count; c++) {
                for (int t = 0; t < 1000; t++) {
                    v[c * 1000 + t] = fileIndex.get(path) * 100000 + (from + c) * 1000 + t;
                }
            }
            return new RecordingChunker.Block(v, 1000);
        });
        List<float[]> channel2 = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        while (chunker.advance()) {
            assertEquals(channel2.size(), chunker.chunkIndex());
            channel2.add(chunker.samples(1));
            sources.add(chunker.sourceFile());
        }
        // 1000 + 1000 + 900 samples = 7 chunks of 400 and a last one of 100
        assertEquals(8, channel2.size());
        assertEquals(List.of("a", "a", "a", "b", "b", "c", "c", "c"), sources);
        assertEquals(100, channel2.get(7).length);
        float[] spanning = channel2.get(2);   // samples 800..1199 of the run: a[800..999] then b[0..199]
        assertEquals(2000 + 800, spanning[0]);
        assertEquals(2000 + 999, spanning[199]);
        assertEquals(100000 + 2000 + 0, spanning[200]);
        assertEquals(100000 + 2000 + 199, spanning[399]);
        float[] afterOverlap = channel2.get(5);   // run samples 2000..2399: c from its sample 100 on (100 trimmed)
        assertEquals(200000 + 2000 + 100, afterOverlap[0]);
        long[] all = {0};
        channel2.forEach(c -> all[0] += c.length);
        assertEquals(2900, all[0], "no sample lost or repeated");
        assertEquals(Map.of(), chunker.inexact(), "int16-sized values are exact in a float");
    }

    @Test
    void int32ValuesBeyondTwoToThe24AreCountedAsInexact() throws Exception {
        RecordingPlan plan = RecordingPlan.plan(List.of(file("a", T0, 1000)));
        RecordingChunker chunker = new RecordingChunker(plan.runs().get(0), 0, 1, 1000, (path, from, count) -> {
            double[] v = new double[1000];
            v[0] = (1 << 24) + 1;   // the first integer a float cannot hold
            v[1] = -(1 << 24);      // exact
            v[2] = 123456789;       // inexact
            return new RecordingChunker.Block(v, 1000);
        });
        assertTrue(chunker.advance());
        assertEquals(16777216f, chunker.samples(0)[0]);
        assertEquals(Map.of("a", 2L), new HashMap<>(chunker.inexact()));
        assertFalse(chunker.advance());
    }
}
