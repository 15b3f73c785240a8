package io.fosm.streaming;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.dsp.TemporalContext;
import io.fosm.dsp.WindowStitcher;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The stream's versioned state encoding: lossless, legacy Java-serialized state read safely, bad bytes named. */
class StreamStateCodecTest {

    private static ChannelStitching.State channel() {
        WindowStitcher.State s = new WindowStitcher.State(1000, 500, true, 12_345L, 12_000L,
                new float[345], 2);
        float[] pending = s.pending();
        for (int i = 0; i < pending.length; i++) {
            pending[i] = (float) Math.sin(i * 0.1);
        }
        s = new WindowStitcher.State(1000, 500, true, 12_345L, 12_000L, pending, 2);
        TemporalContext.State t = new TemporalContext.State(4, 20,
                List.of(new TemporalContext.Pending(11_000L, new double[] {1.5, Double.NaN, -0.0}),
                        new TemporalContext.Pending(11_500L, new double[] {2.5, 3, Double.POSITIVE_INFINITY})),
                List.of(new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {0.5, 0.6, 0.7}));
        return new ChannelStitching.State(s, t);
    }

    private static FiberFinalizer.State fiber() {
        FiberFinalizer.State f = new FiberFinalizer.State();
        f.newest = 20_000;
        f.finalUpTo = 16_000;
        TreeMap<Integer, double[]> a = new TreeMap<>();
        a.put(3, new double[] {1, 2, 3});
        a.put(7, new double[] {4, Double.NaN});
        f.pending.put(18_000L, a);
        f.pending.put(18_500L, new TreeMap<>());
        return f;
    }

    private static void assertSameChannel(ChannelStitching.State a, ChannelStitching.State b) {
        assertEquals(a.stitcher().windowSamples(), b.stitcher().windowSamples());
        assertEquals(a.stitcher().hopSamples(), b.stitcher().hopSamples());
        assertEquals(a.stitcher().running(), b.stitcher().running());
        assertEquals(a.stitcher().nextIndex(), b.stitcher().nextIndex());
        assertEquals(a.stitcher().pendingStart(), b.stitcher().pendingStart());
        assertArrayEquals(a.stitcher().pending(), b.stitcher().pending());
        assertEquals(a.stitcher().gaps(), b.stitcher().gaps());
        assertEquals(a.temporal().around(), b.temporal().around());
        assertEquals(a.temporal().baseline(), b.temporal().baseline());
        assertEquals(a.temporal().pending().size(), b.temporal().pending().size());
        for (int i = 0; i < a.temporal().pending().size(); i++) {
            assertEquals(a.temporal().pending().get(i).windowStart(), b.temporal().pending().get(i).windowStart());
            assertArrayEquals(a.temporal().pending().get(i).features(), b.temporal().pending().get(i).features());
        }
        assertEquals(a.temporal().past().size(), b.temporal().past().size());
        for (int i = 0; i < a.temporal().past().size(); i++) {
            assertArrayEquals(a.temporal().past().get(i), b.temporal().past().get(i));
        }
    }

    @Test
    void channelAndFiberStateRoundTripBitForBit() {
        ChannelStitching.State c = channel();
        byte[] bytes = StreamStateCodec.encodeChannel(c);
        assertEquals('F', bytes[0]);
        assertEquals(StreamStateCodec.VERSION, bytes[4]);
        assertSameChannel(c, StreamStateCodec.decodeChannel(bytes));

        FiberFinalizer.State f = fiber();
        FiberFinalizer.State back = StreamStateCodec.decodeFiber(StreamStateCodec.encodeFiber(f));
        assertEquals(f.newest, back.newest);
        assertEquals(f.finalUpTo, back.finalUpTo);
        assertEquals(f.pending.keySet(), back.pending.keySet());
        assertArrayEquals(f.pending.get(18_000L).get(7), back.pending.get(18_000L).get(7));
        assertEquals(f.pending.get(18_000L).keySet(), back.pending.get(18_000L).keySet());
        assertTrue(back.pending.get(18_500L).isEmpty());
    }

    @Test
    void legacyJavaSerializedStateIsStillRead() throws Exception {
        ChannelStitching.State c = channel();
        assertSameChannel(c, StreamStateCodec.decodeChannel(javaSerialize(c)));
        FiberFinalizer.State back = StreamStateCodec.decodeFiber(javaSerialize(fiber()));
        assertEquals(16_000, back.finalUpTo);
        assertArrayEquals(new double[] {1, 2, 3}, back.pending.get(18_000L).get(3));
    }

    /** Not a state class: Java serialization of it must never be instantiated from storage. */
    record Gadget(String command) implements Serializable {}

    @Test
    void javaSerializedBytesOfAnyOtherClassAreRejectedBeforeInstantiation() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StreamStateCodec.decodeChannel(javaSerialize(new Gadget("rm -rf /"))));
        assertTrue(e.getMessage().startsWith("Cannot restore stream state"), e.getMessage());
        assertTrue(e.getMessage().contains("REJECTED") || e.getMessage().contains("filter"), e.getMessage());
    }

    @Test
    void anUnknownVersionIsAClearError() {
        byte[] bytes = StreamStateCodec.encodeChannel(channel());
        bytes[4] = 9;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StreamStateCodec.decodeChannel(bytes));
        assertEquals("Cannot restore stream state: version 9 unknown, this release reads 0.." + StreamStateCodec.VERSION
                + " (a checkpoint of a newer fosm release?)", e.getMessage());
    }

    @Test
    void truncatedAndForeignBytesAreClearErrors() {
        byte[] bytes = StreamStateCodec.encodeFiber(fiber());
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5);
        assertEquals("Cannot restore stream state of a fiber: truncated (ends early)",
                assertThrows(IllegalStateException.class, () -> StreamStateCodec.decodeFiber(cut)).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> StreamStateCodec.decodeChannel(bytes)).getMessage()
                .contains("the bytes hold kind 2, expected 1"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> StreamStateCodec.decodeFiber("hello world".getBytes())).getMessage()
                .contains("neither fosm's state encoding (magic FOSS) nor Java serialization"));
        byte[] huge = StreamStateCodec.encodeFiber(fiber());
        // the start count (after magic, version, kind, newest, finalUpTo) announces 2^31-1 starts
        java.nio.ByteBuffer.wrap(huge).putInt(6 + 16, Integer.MAX_VALUE);
        assertTrue(assertThrows(IllegalStateException.class, () -> StreamStateCodec.decodeFiber(huge)).getMessage()
                .contains("out of range"));
    }

    private static byte[] javaSerialize(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }
}
