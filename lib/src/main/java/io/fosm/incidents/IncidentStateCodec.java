package io.fosm.incidents;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * fosm's own binary encoding of the incident tracker's state (kept in {@code stream_incident_state} between
 * micro-batches). No Java serialisation: the layout is explicit, so a change of the tracker's classes cannot break a
 * restart, and reading bytes from storage runs no code chosen by the bytes.
 *
 * <p>Layout, big-endian ({@link DataOutputStream}): magic {@code "FOSMINCS"} (8 bytes), int version, int fiber count;
 * per fiber: UTF fiber id, long last window start, int track count; per track: UTF id, boolean open, long first
 * start, long last hit, long detected, int recent-hit count + longs, int min, max, lastMin, lastMax, double peak, int
 * peak channel, long windows, cells, anomalous, int class count + (UTF class, double sum), UTF class ("" = none),
 * double confidence, double detected position, long update seq, UTF model version ("" = none), int point count +
 * (long time, double centre), double velocity (channels/us). A version this release does not know is an error that
 * names it; a new layout gets a new version and a reader for the old one.
 */
public final class IncidentStateCodec {
    static final byte[] MAGIC = {'F', 'O', 'S', 'M', 'I', 'N', 'C', 'S'};
    /** The layout this release writes. */
    public static final int VERSION = 1;

    private IncidentStateCodec() {}

    public static byte[] encode(IncidentTracker tracker) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(tracker.fibers.size());
            for (Map.Entry<String, IncidentTracker.FiberState> f : tracker.fibers.entrySet()) {
                out.writeUTF(f.getKey());
                out.writeLong(f.getValue().lastStart);
                out.writeInt(f.getValue().tracks.size());
                for (IncidentTracker.Track t : f.getValue().tracks) {
                    writeTrack(out, t);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot encode the incident tracker state: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static void writeTrack(DataOutputStream out, IncidentTracker.Track t) throws IOException {
        out.writeUTF(t.id);
        out.writeBoolean(t.open);
        out.writeLong(t.firstStart);
        out.writeLong(t.lastHit);
        out.writeLong(t.detected);
        out.writeInt(t.recentHits.size());
        for (long h : t.recentHits) {
            out.writeLong(h);
        }
        out.writeInt(t.min);
        out.writeInt(t.max);
        out.writeInt(t.lastMin);
        out.writeInt(t.lastMax);
        out.writeDouble(t.peak);
        out.writeInt(t.peakChannel);
        out.writeLong(t.windows);
        out.writeLong(t.cells);
        out.writeLong(t.anomalous);
        out.writeInt(t.classSums.size());
        for (Map.Entry<String, Double> e : t.classSums.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        out.writeUTF(t.eventClass == null ? "" : t.eventClass);
        out.writeDouble(t.confidence);
        out.writeDouble(t.detectedPosition);
        out.writeLong(t.seq);
        out.writeUTF(t.modelVersion == null ? "" : t.modelVersion);
        out.writeInt(t.times.size());
        for (int i = 0; i < t.times.size(); i++) {
            out.writeLong(t.times.get(i));
            out.writeDouble(t.centres.get(i));
        }
        out.writeDouble(t.velocity);
    }

    /** Decodes {@link #encode}'s bytes into a tracker with {@code settings}. */
    public static IncidentTracker decode(byte[] bytes, IncidentTracker.Settings settings) {
        if (bytes == null || bytes.length < MAGIC.length + 4) {
            throw new IllegalStateException("Cannot read the incident tracker state: "
                    + (bytes == null ? "no bytes" : bytes.length + " bytes") + " is too short for fosm's encoding");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IllegalStateException("Cannot read the incident tracker state: it does not start with "
                        + "fosm's marker FOSMINCS (state written by another release's Java serialisation? start the "
                        + "stream on a new stream.checkpoint and lakehouse stream folder)");
            }
        }
        IncidentTracker tracker = new IncidentTracker(settings);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length,
                bytes.length - MAGIC.length))) {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalStateException("Cannot read the incident tracker state: encoding version " + version
                        + " is not known to this release, which reads version " + VERSION);
            }
            int fibers = count(in.readInt(), "fibers");
            for (int f = 0; f < fibers; f++) {
                String fiber = in.readUTF();
                IncidentTracker.FiberState state = new IncidentTracker.FiberState();
                state.lastStart = in.readLong();
                int tracks = count(in.readInt(), "tracks");
                for (int i = 0; i < tracks; i++) {
                    state.tracks.add(readTrack(in));
                }
                tracker.fibers.put(fiber, state);
            }
            if (in.available() > 0) {
                throw new IllegalStateException("Cannot read the incident tracker state: " + in.available()
                        + " bytes left after the last fiber");
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the incident tracker state: truncated or corrupt ("
                    + e + ")", e);
        }
        return tracker;
    }

    private static IncidentTracker.Track readTrack(DataInputStream in) throws IOException {
        IncidentTracker.Track t = new IncidentTracker.Track();
        t.id = in.readUTF();
        t.open = in.readBoolean();
        t.firstStart = in.readLong();
        t.lastHit = in.readLong();
        t.detected = in.readLong();
        int hits = count(in.readInt(), "recent hits");
        for (int i = 0; i < hits; i++) {
            t.recentHits.add(in.readLong());
        }
        t.min = in.readInt();
        t.max = in.readInt();
        t.lastMin = in.readInt();
        t.lastMax = in.readInt();
        t.peak = in.readDouble();
        t.peakChannel = in.readInt();
        t.windows = in.readLong();
        t.cells = in.readLong();
        t.anomalous = in.readLong();
        int classes = count(in.readInt(), "classes");
        for (int i = 0; i < classes; i++) {
            t.classSums.put(in.readUTF(), in.readDouble());
        }
        String cls = in.readUTF();
        t.eventClass = cls.isEmpty() ? null : cls;
        t.confidence = in.readDouble();
        t.detectedPosition = in.readDouble();
        t.seq = in.readLong();
        String version = in.readUTF();
        t.modelVersion = version.isEmpty() ? null : version;
        int points = count(in.readInt(), "track points");
        for (int i = 0; i < points; i++) {
            t.times.add(in.readLong());
            t.centres.add(in.readDouble());
        }
        t.velocity = in.readDouble();
        return t;
    }

    private static int count(int n, String what) {
        if (n < 0 || n > 10_000_000) {
            throw new IllegalStateException("Cannot read the incident tracker state: " + n + " " + what
                    + " is not a valid count (corrupt bytes)");
        }
        return n;
    }
}
