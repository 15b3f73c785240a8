package io.fosm.streaming;

import io.fosm.dsp.TemporalContext;
import io.fosm.dsp.WindowStitcher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The binary encoding of the stream's group state (the value Spark's state store keeps per channel and per fiber),
 * explicit and versioned like {@link io.fosm.record.ChunkCodec}, so a checkpoint survives changes of the classes
 * that hold the state in memory. All integers big-endian.
 *
 * <p>Layout: {@code "FOSS"}, version byte ({@link #VERSION}), kind byte (1 channel, 2 fiber), then the fields.
 * Channel: stitcher (windowSamples int32, hopSamples int32, running byte, nextIndex int64, pendingStart int64,
 * pending count int32 + float32 each, gaps int64); temporal context (around int32, baseline int32, pending count
 * int32 + per window (windowStart int64, count int32 + float64 each), past count int32 + per entry (count int32 +
 * float64 each)). Fiber: newest int64, finalUpTo int64, start count int32 + per start (start int64, channel count
 * int32 + per channel (channel int32, count int32 + float64 each)).
 *
 * <p>Version 0 is the state of releases before this codec: Java serialization ({@code Encoders.javaSerialization}),
 * recognised by its stream magic {@code AC ED}. It is still read, so a checkpoint of such a release restarts, but
 * only through an {@link ObjectInputFilter} that admits the few state classes and the JDK types they hold: bytes
 * from storage never instantiate anything else. The next write of that group stores version 1.
 */
final class StreamStateCodec {
    /** The version this release writes; it reads 0 (Java serialization, legacy) to this. */
    static final byte VERSION = 1;
    private static final byte[] MAGIC = {'F', 'O', 'S', 'S'};
    private static final byte CHANNEL = 1;
    private static final byte FIBER = 2;
    /** Caps on any announced count, checked before allocating (a corrupt length must not exhaust memory). */
    private static final int MAX_COUNT = 10_000_000;

    private StreamStateCodec() {}

    static byte[] encodeChannel(ChannelStitching.State state) {
        Out out = new Out(CHANNEL);
        try {
            WindowStitcher.State s = state.stitcher();
            out.data.writeInt(s.windowSamples());
            out.data.writeInt(s.hopSamples());
            out.data.writeBoolean(s.running());
            out.data.writeLong(s.nextIndex());
            out.data.writeLong(s.pendingStart());
            float[] pending = s.pending();
            out.data.writeInt(pending.length);
            for (float f : pending) {
                out.data.writeFloat(f);
            }
            out.data.writeLong(s.gaps());
            TemporalContext.State t = state.temporal();
            out.data.writeInt(t.around());
            out.data.writeInt(t.baseline());
            out.data.writeInt(t.pending().size());
            for (TemporalContext.Pending p : t.pending()) {
                out.data.writeLong(p.windowStart());
                out.doubles(p.features());
            }
            out.data.writeInt(t.past().size());
            for (double[] h : t.past()) {
                out.doubles(h);
            }
            return out.bytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChannelStitching.State decodeChannel(byte[] bytes) {
        if (isJavaSerialized(bytes)) {
            return (ChannelStitching.State) legacy(bytes, ChannelStitching.State.class);
        }
        In in = new In(bytes, CHANNEL, "channel");
        try {
            int windowSamples = in.data.readInt();
            int hopSamples = in.data.readInt();
            boolean running = in.data.readBoolean();
            long nextIndex = in.data.readLong();
            long pendingStart = in.data.readLong();
            float[] pending = new float[in.count()];
            for (int i = 0; i < pending.length; i++) {
                pending[i] = in.data.readFloat();
            }
            long gaps = in.data.readLong();
            WindowStitcher.State stitcher = new WindowStitcher.State(windowSamples, hopSamples, running, nextIndex,
                    pendingStart, pending, gaps);
            int around = in.data.readInt();
            int baseline = in.data.readInt();
            int n = in.count();
            List<TemporalContext.Pending> waiting = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                long start = in.data.readLong();
                waiting.add(new TemporalContext.Pending(start, in.doubles()));
            }
            int m = in.count();
            List<double[]> past = new ArrayList<>(Math.min(m, 1024));
            for (int i = 0; i < m; i++) {
                past.add(in.doubles());
            }
            in.end();
            return new ChannelStitching.State(stitcher, new TemporalContext.State(around, baseline, waiting, past));
        } catch (IOException e) {
            throw in.truncated(e);
        }
    }

    static byte[] encodeFiber(FiberFinalizer.State state) {
        Out out = new Out(FIBER);
        try {
            out.data.writeLong(state.newest);
            out.data.writeLong(state.finalUpTo);
            out.data.writeInt(state.pending.size());
            for (Map.Entry<Long, TreeMap<Integer, double[]>> e : state.pending.entrySet()) {
                out.data.writeLong(e.getKey());
                out.data.writeInt(e.getValue().size());
                for (Map.Entry<Integer, double[]> c : e.getValue().entrySet()) {
                    out.data.writeInt(c.getKey());
                    out.doubles(c.getValue());
                }
            }
            return out.bytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FiberFinalizer.State decodeFiber(byte[] bytes) {
        if (isJavaSerialized(bytes)) {
            return (FiberFinalizer.State) legacy(bytes, FiberFinalizer.State.class);
        }
        In in = new In(bytes, FIBER, "fiber");
        try {
            FiberFinalizer.State state = new FiberFinalizer.State();
            state.newest = in.data.readLong();
            state.finalUpTo = in.data.readLong();
            int starts = in.count();
            for (int i = 0; i < starts; i++) {
                long start = in.data.readLong();
                int channels = in.count();
                TreeMap<Integer, double[]> byChannel = new TreeMap<>();
                for (int c = 0; c < channels; c++) {
                    int channel = in.data.readInt();
                    byChannel.put(channel, in.doubles());
                }
                state.pending.put(start, byChannel);
            }
            in.end();
            return state;
        } catch (IOException e) {
            throw in.truncated(e);
        }
    }

    private static boolean isJavaSerialized(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED;
    }

    /** The state classes of version 0 and the JDK types inside them: nothing else is deserialized. */
    private static final Set<String> LEGACY_CLASSES = Set.of(
            ChannelStitching.State.class.getName(), WindowStitcher.State.class.getName(),
            TemporalContext.State.class.getName(), TemporalContext.Pending.class.getName(),
            FiberFinalizer.State.class.getName(), "java.util.TreeMap", "java.util.ArrayList",
            "java.util.Collections$UnmodifiableRandomAccessList", "java.util.Collections$UnmodifiableList",
            "java.util.Collections$UnmodifiableCollection", "java.util.ImmutableCollections$ListN",
            "java.util.ImmutableCollections$List12", "java.util.CollSer", "java.lang.Long", "java.lang.Integer",
            "java.lang.Number", "[F", "[D",
            // ArrayList.readObject checks its element array through the filter
            "[Ljava.lang.Object;");

    private static Object legacy(byte[] bytes, Class<?> expected) {
        String[] rejected = {null};
        ObjectInputFilter filter = info -> {
            Class<?> c = info.serialClass();
            if (info.depth() > 32 || info.references() > 10_000_000 || info.streamBytes() > 512L * 1024 * 1024) {
                return ObjectInputFilter.Status.REJECTED;
            }
            if (c == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            if (LEGACY_CLASSES.contains(c.getName())) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            rejected[0] = c.getName();
            return ObjectInputFilter.Status.REJECTED;
        };
        try (ObjectInputStream in = new StateObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            Object o = in.readObject();
            if (!expected.isInstance(o)) {
                throw new IllegalStateException("Cannot restore stream state: version 0 (Java-serialized) bytes hold a "
                        + (o == null ? "null" : o.getClass().getName()) + ", expected " + expected.getName());
            }
            return o;
        } catch (java.io.InvalidClassException e) {
            throw new IllegalStateException("Cannot restore stream state: version 0 (Java-serialized) state names a"
                    + " class this release does not read (" + (rejected[0] != null ? rejected[0] + ", " : "")
                    + e.getMessage() + "); this release reads versions 0.." + VERSION, e);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot restore stream state: version 0 (Java-serialized) state does not"
                    + " decode: " + e, e);
        }
    }

    /** Resolves classes through the task's context class loader (the application jar's on a cluster). */
    private static final class StateObjectInputStream extends ObjectInputStream {
        StateObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to the default resolution below
                }
            }
            return super.resolveClass(desc);
        }
    }

    private static final class Out {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        final DataOutputStream data = new DataOutputStream(buffer);

        Out(byte kind) {
            buffer.writeBytes(MAGIC);
            buffer.write(VERSION);
            buffer.write(kind);
        }

        void doubles(double[] values) throws IOException {
            data.writeInt(values.length);
            for (double v : values) {
                data.writeDouble(v);
            }
        }

        byte[] bytes() throws IOException {
            data.flush();
            return buffer.toByteArray();
        }
    }

    private static final class In {
        final DataInputStream data;
        final String what;
        final int length;

        In(byte[] bytes, byte kind, String what) {
            this.what = what;
            this.length = bytes.length;
            if (bytes.length < 6 || bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1] || bytes[2] != MAGIC[2]
                    || bytes[3] != MAGIC[3]) {
                throw new IllegalStateException("Cannot restore stream state of a " + what + ": " + bytes.length
                        + " bytes that are neither fosm's state encoding (magic FOSS) nor Java serialization");
            }
            int version = bytes[4] & 0xff;
            if (version < 1 || version > VERSION) {
                throw new IllegalStateException("Cannot restore stream state: version " + version
                        + " unknown, this release reads 0.." + VERSION + " (a checkpoint of a newer fosm release?)");
            }
            if (bytes[5] != kind) {
                throw new IllegalStateException("Cannot restore stream state of a " + what + ": the bytes hold kind "
                        + bytes[5] + ", expected " + kind);
            }
            this.data = new DataInputStream(new ByteArrayInputStream(bytes, 6, bytes.length - 6));
        }

        int count() throws IOException {
            int n = data.readInt();
            if (n < 0 || n > MAX_COUNT || n > length) {
                throw new IllegalStateException("Cannot restore stream state of a " + what + ": count " + n
                        + " out of range for " + length + " bytes");
            }
            return n;
        }

        double[] doubles() throws IOException {
            double[] v = new double[count()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.readDouble();
            }
            return v;
        }

        void end() throws IOException {
            if (data.available() > 0) {
                throw new IllegalStateException("Cannot restore stream state of a " + what + ": " + data.available()
                        + " bytes left after the last field");
            }
        }

        IllegalStateException truncated(IOException e) {
            return new IllegalStateException("Cannot restore stream state of a " + what + ": truncated ("
                    + (e instanceof EOFException ? "ends early" : e.toString()) + ")", e);
        }
    }
}
