package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.fosm.record.MalformedRecordException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * fosm's own landing files (FOSF, {@link ChunkCodec}), seen as one time x channel grid so that every format goes
 * through {@link DasReaders}. The file is decoded whole (CRC-checked; its size is bounded by
 * {@link ChunkCodec#MAX_SAMPLES} per record). The records must form a grid: one sample rate, the same chunk starts
 * and sample counts on every channel, consecutive chunks of a channel adjacent in time (next start = start +
 * samples / rate, within a microsecond), channels contiguous; otherwise INCONSISTENT_AXES (fosm's bronze validates
 * such files record by record instead). Codec failures map to TRUNCATED (truncated) or CORRUPT (everything else).
 *
 * <p>Metadata: rate, start time and channels from the records; spacing, start distance and gauge length NaN
 * (FOSF declares none); data type float32; unit "strain rate" (what {@link ChunkRecord} samples are); scale 1;
 * vendor "fosm"; version the codec version byte.
 */
public final class FosfReader implements DasReader {

    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    @Override
    public String format() {
        return "fosf";
    }

    @Override
    public boolean accepts(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return Arrays.equals(head, new byte[] {'F', 'O', 'S', 'F'});
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public DasRecording open(Path file) throws DasFileException {
        String name = file.toString();
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, name, "a FOSF file over 2 GiB");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DasFileException(Reason.UNREADABLE, name, "cannot read: " + e.getMessage(), e);
        }
        if (bytes.length >= 5 && bytes[0] == 'F' && bytes[1] == 'O' && bytes[2] == 'S' && bytes[3] == 'F'
                && bytes[4] != ChunkCodec.VERSION) {
            throw new DasFileException(Reason.UNSUPPORTED_VERSION, name, "FOSF version " + bytes[4] + ", expected "
                    + ChunkCodec.VERSION);
        }
        List<ChunkRecord> records;
        try {
            records = ChunkCodec.decodeFile(bytes);
        } catch (MalformedRecordException e) {
            Reason reason = switch (e.reason()) {
                case TRUNCATED -> Reason.TRUNCATED;
                case BAD_MAGIC -> Reason.UNKNOWN_FORMAT;
                case UNSUPPORTED_VERSION -> Reason.UNSUPPORTED_VERSION;
                default -> Reason.CORRUPT;
            };
            throw new DasFileException(reason, name, "FOSF " + e.reasonCode() + ": " + e.getMessage(), e);
        }
        return grid(name, records);
    }

    private DasRecording grid(String name, List<ChunkRecord> records) throws DasFileException {
        if (records.isEmpty()) {
            throw new DasFileException(Reason.MISSING_DATASET, name, "a FOSF file with no records");
        }
        double rate = records.get(0).sampleRate();
        TreeMap<Integer, TreeMap<Long, ChunkRecord>> byChannel = new TreeMap<>();
        for (ChunkRecord r : records) {
            if (r.sampleRate() != rate) {
                throw inconsistent(name, "channel " + r.channel() + " has sample rate " + r.sampleRate()
                        + " Hz, the first record " + rate);
            }
            ChunkRecord old = byChannel.computeIfAbsent(r.channel(), c -> new TreeMap<>())
                    .put(r.chunkStartMicros(), r);
            if (old != null) {
                throw inconsistent(name, "channel " + r.channel() + " has two chunks starting at "
                        + r.chunkStartMicros());
            }
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw inconsistent(name, "sample rate " + rate + " Hz");
        }
        int firstChannel = byChannel.firstKey();
        int channels = byChannel.size();
        if ((long) byChannel.lastKey() - firstChannel + 1 != channels) {
            throw inconsistent(name, "channels " + firstChannel + ".." + byChannel.lastKey() + " with gaps ("
                    + channels + " present)");
        }
        TreeMap<Long, ChunkRecord> reference = byChannel.firstEntry().getValue();
        TreeSet<Long> starts = new TreeSet<>(reference.keySet());
        long samples = 0;
        Long previousEnd = null;
        for (ChunkRecord r : reference.values()) {
            if (previousEnd != null && Math.abs(r.chunkStartMicros() - previousEnd) > 1) {
                throw inconsistent(name, "channel " + r.channel() + " chunk at " + r.chunkStartMicros()
                        + " does not follow the previous chunk ending at " + previousEnd);
            }
            previousEnd = r.chunkStartMicros() + Math.round(r.sampleCount() * 1e6 / rate);
            samples += r.sampleCount();
        }
        for (var e : byChannel.entrySet()) {
            if (!e.getValue().keySet().equals(starts)) {
                throw inconsistent(name, "channel " + e.getKey() + " has chunks at other times than channel "
                        + firstChannel);
            }
            for (ChunkRecord r : e.getValue().values()) {
                if (r.sampleCount() != reference.get(r.chunkStartMicros()).sampleCount()) {
                    throw inconsistent(name, "channel " + e.getKey() + " chunk at " + r.chunkStartMicros() + " has "
                            + r.sampleCount() + " samples, channel " + firstChannel + " "
                            + reference.get(r.chunkStartMicros()).sampleCount());
                }
            }
        }
        if ((long) channels * samples > Integer.MAX_VALUE) {
            throw inconsistent(name, channels + " x " + samples + " samples");
        }
        DasFileInfo info = new DasFileInfo(format(), Byte.toString(ChunkCodec.VERSION), "fosm", rate, Double.NaN,
                firstChannel, Double.NaN, starts.first(), Double.NaN, "float32", 1.0, "strain rate", (int) samples,
                channels);
        ChunkRecord[][] rows = new ChunkRecord[channels][];
        int i = 0;
        for (TreeMap<Long, ChunkRecord> m : byChannel.values()) {
            rows[i++] = m.values().toArray(new ChunkRecord[0]);
        }
        return new FosfRecording(info, rows);
    }

    private static DasFileException inconsistent(String file, String what) {
        return new DasFileException(Reason.INCONSISTENT_AXES, file, "the records do not form a time x channel grid: "
                + what);
    }

    private record FosfRecording(DasFileInfo info, ChunkRecord[][] rows) implements DasRecording {
        @Override
        public double[] readChannels(int from, int count) {
            Blocks.checkRange(from, count, info.channels());
            int nt = info.timeSamples();
            double[] out = new double[Math.multiplyExact(count, nt)];
            for (int c = 0; c < count; c++) {
                int t = 0;
                for (ChunkRecord r : rows[from + c]) {
                    float[] s = r.samples();
                    for (float v : s) {
                        out[c * nt + t++] = v;
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            // decoded in memory
        }
    }
}
