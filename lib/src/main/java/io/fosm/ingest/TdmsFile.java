package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A National Instruments TDMS file (versions 4712 and 4713), parsed from NI's published layout ("TDMS File Format
 * Internal Structure"): a chain of segments, each a 28-byte lead-in ({@code "TDSm"}, table-of-contents flags, version,
 * next-segment offset, raw-data offset), optional metadata (objects with raw-data indexes and properties) and raw
 * data made of repeated chunks (every active channel's values, channel after channel or interleaved value by value).
 * An object list carries over from segment to segment unless the segment sets kTocNewObjList; a raw-data index of 0
 * repeats the object's previous index. The last chunk of a segment may be partial (fewer values per channel), as
 * NI's and npTDMS's readers accept. DAQmx raw data and string channels are not supported (UNSUPPORTED_VERSION).
 *
 * <p>Only metadata is read when the file is opened; sample values are read per block of channels on demand. Every
 * length and count is checked against the bytes the segment really has before anything is allocated, so a damaged
 * file gives a {@link DasFileException} (TRUNCATED or CORRUPT), never an unchecked exception or a huge allocation.
 */
final class TdmsFile implements AutoCloseable {

    static final int LEAD_IN = 28;
    private static final int TOC_META_DATA = 1 << 1;
    private static final int TOC_NEW_OBJ_LIST = 1 << 2;
    private static final int TOC_RAW_DATA = 1 << 3;
    private static final int TOC_INTERLEAVED = 1 << 5;
    private static final int TOC_BIG_ENDIAN = 1 << 6;
    private static final int TOC_DAQMX = 1 << 7;
    private static final long NO_DATA = 0xFFFFFFFFL;
    private static final long SEGMENT_UNFINISHED = -1L;
    private static final long MICROS_1904_TO_1970 = 2_082_844_800L * 1_000_000L;

    /** A TDMS time stamp property, converted to epoch microseconds (UTC), rounded to the nearest microsecond. */
    record Timestamp(long epochMicros) {
    }

    /** One channel object with raw data, in order of first appearance. */
    record Channel(String path, int dataType, int typeSize) {
    }

    /** Where one segment keeps the values of the channels it holds. */
    private record Segment(long rawStart, long chunkBytes, long fullChunks, boolean interleaved, ByteOrder order,
                           int[] channelIndex, long[] valuesPerChunk, long[] offsetInChunk, long lastChunkValues,
                           int stride) {
    }

    /** Active object of the current object list with its raw-data index. */
    private static final class Active {
        final String path;
        int dataType = -1;
        long values;
        boolean hasData;

        Active(String path) {
            this.path = path;
        }
    }

    private final String file;
    private final FileChannel channel;
    private final long size;
    private final int version;
    private final Map<String, Map<String, Object>> properties = new LinkedHashMap<>();
    private final List<Channel> channels = new ArrayList<>();
    private final Map<String, Integer> channelIndex = new LinkedHashMap<>();
    private final List<Segment> segments = new ArrayList<>();
    private long[] valueCounts = new long[16];

    private TdmsFile(String file, FileChannel channel, long size, int version) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.version = version;
    }

    /** True when the file starts with a TDMS lead-in ("TDSm"). */
    static boolean hasLeadIn(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
            return !b.hasRemaining() && new String(b.array(), StandardCharsets.US_ASCII).equals("TDSm");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static TdmsFile open(Path path) throws DasFileException {
        String file = path.toString();
        FileChannel ch;
        long size;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            size = ch.size();
        } catch (IOException e) {
            throw new DasFileException(Reason.UNREADABLE, file, "cannot open: " + e.getMessage(), e);
        }
        try {
            ByteBuffer lead = read(ch, file, 0, Math.min(LEAD_IN, size), ByteOrder.LITTLE_ENDIAN);
            if (size < 4 || !tag(lead).equals("TDSm")) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, file, "no TDMS lead-in 'TDSm' at offset 0");
            }
            if (size < LEAD_IN) {
                throw new DasFileException(Reason.TRUNCATED, file, "the TDMS lead-in needs 28 bytes, the file has "
                        + size);
            }
            int version = lead.getInt(8);
            TdmsFile t = new TdmsFile(file, ch, size, version);
            if (version != 4712 && version != 4713) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, file, "TDMS version " + version
                        + ", expected 4712 or 4713");
            }
            t.parse();
            return t;
        } catch (DasFileException e) {
            closeQuietly(ch);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw new DasFileException(Reason.CORRUPT, file, "cannot parse the TDMS structure ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private static String tag(ByteBuffer b) {
        byte[] t = new byte[4];
        b.get(0, t);
        return new String(t, StandardCharsets.US_ASCII);
    }

    int version() {
        return version;
    }

    /** Properties of the file object "/" (empty map when none). */
    Map<String, Object> fileProperties() {
        return properties.getOrDefault("/", Map.of());
    }

    Map<String, Object> properties(String objectPath) {
        return properties.getOrDefault(objectPath, Map.of());
    }

    List<Channel> channels() {
        return channels;
    }

    /** Number of values the file holds for channel {@code c}. */
    long valueCount(int c) {
        return valueCounts[c];
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to lose: the file was only read
        }
    }

    // ---- parsing ----

    private void parse() throws DasFileException {
        long pos = 0;
        List<Active> active = new ArrayList<>();
        int segmentNo = 0;
        while (pos < size) {
            if (size - pos < LEAD_IN) {
                throw new DasFileException(Reason.TRUNCATED, file, "segment " + segmentNo + " at byte " + pos
                        + " needs a 28-byte lead-in, only " + (size - pos) + " bytes left");
            }
            ByteBuffer lead = read(channel, file, pos, LEAD_IN, ByteOrder.LITTLE_ENDIAN);
            if (!tag(lead).equals("TDSm")) {
                throw new DasFileException(Reason.CORRUPT, file, "segment " + segmentNo + " at byte " + pos
                        + " does not start with 'TDSm'");
            }
            int toc = lead.getInt(4);
            int segVersion = lead.getInt(8);
            long next = lead.getLong(12);
            long rawOffset = lead.getLong(20);
            if (segVersion != 4712 && segVersion != 4713) {
                throw new DasFileException(Reason.CORRUPT, file, "segment " + segmentNo + " declares version "
                        + segVersion + ", expected 4712 or 4713");
            }
            if ((toc & TOC_DAQMX) != 0) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, file, "segment " + segmentNo
                        + " holds DAQmx raw data, which this reader does not decode");
            }
            long dataEnd;
            long left = size - pos - LEAD_IN;
            if (next == SEGMENT_UNFINISHED) {
                dataEnd = size; // the writer did not close the file: the segment runs to the end of the file
            } else if (next < 0 || next > left) {
                throw new DasFileException(Reason.TRUNCATED, file, "segment " + segmentNo + " at byte " + pos
                        + " declares " + next + " bytes after its lead-in, only " + left + " left");
            } else {
                dataEnd = pos + LEAD_IN + next;
            }
            if (rawOffset < 0 || rawOffset > dataEnd - pos - LEAD_IN) {
                throw new DasFileException(Reason.CORRUPT, file, "segment " + segmentNo + " declares raw data at "
                        + rawOffset + " bytes after its lead-in, past its end");
            }
            ByteOrder order = (toc & TOC_BIG_ENDIAN) != 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            long metaStart = pos + LEAD_IN;
            if ((toc & TOC_META_DATA) != 0) {
                ByteBuffer meta = read(channel, file, metaStart, rawOffset, order);
                active = readMetadata(meta, active, (toc & TOC_NEW_OBJ_LIST) != 0, segmentNo);
            } else if ((toc & TOC_NEW_OBJ_LIST) != 0) {
                active = new ArrayList<>();
            }
            if ((toc & TOC_RAW_DATA) != 0) {
                addSegment(active, metaStart + rawOffset, dataEnd, (toc & TOC_INTERLEAVED) != 0, order, segmentNo);
            }
            if (next == SEGMENT_UNFINISHED || dataEnd <= pos) {
                break;
            }
            pos = dataEnd;
            segmentNo++;
        }
    }

    private List<Active> readMetadata(ByteBuffer b, List<Active> previous, boolean newList, int segmentNo)
            throws DasFileException {
        List<Active> list = newList ? new ArrayList<>() : new ArrayList<>(previous);
        long objects = u32(b, "object count", segmentNo);
        if (objects > b.remaining() / 8) {
            throw corrupt(segmentNo, "declares " + objects + " objects in " + b.remaining() + " bytes of metadata");
        }
        for (long i = 0; i < objects; i++) {
            String path = string(b, segmentNo, "object path");
            long index = u32(b, "raw data index of " + path, segmentNo);
            Active a = null;
            for (Active x : list) {
                if (x.path.equals(path)) {
                    a = x;
                    break;
                }
            }
            Active prior = a;
            if (a == null) {
                a = new Active(path);
                for (Active x : previous) {
                    if (x.path.equals(path)) {
                        a.dataType = x.dataType;
                        a.values = x.values;
                        a.hasData = x.hasData;
                    }
                }
            }
            if (index == NO_DATA) {
                a.hasData = false;
            } else if (index == 0) {
                if (a.dataType < 0 && prior == null) {
                    throw corrupt(segmentNo, "object " + path + " repeats a raw data index it never declared");
                }
                a.hasData = a.dataType >= 0;
            } else if (index == 0x69120000L || index == 0x69130000L) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, file, "object " + path
                        + " uses a DAQmx raw data index, which this reader does not decode");
            } else {
                if (index < 20 || index > b.remaining()) {
                    throw corrupt(segmentNo, "object " + path + " has a raw data index of " + index + " bytes");
                }
                int start = b.position();
                int type = (int) u32(b, "data type of " + path, segmentNo);
                long dim = u32(b, "dimension of " + path, segmentNo);
                long values = i64(b, "value count of " + path, segmentNo);
                if (dim != 1) {
                    throw corrupt(segmentNo, "object " + path + " has array dimension " + dim + ", expected 1");
                }
                if (values < 0 || values > size) {
                    throw corrupt(segmentNo, "object " + path + " declares " + values + " values per chunk");
                }
                a.dataType = type;
                a.values = values;
                a.hasData = true;
                b.position((int) (start + index - 4));
            }
            long props = u32(b, "property count of " + path, segmentNo);
            if (props > b.remaining() / 9) {
                throw corrupt(segmentNo, "object " + path + " declares " + props + " properties in "
                        + b.remaining() + " bytes");
            }
            Map<String, Object> p = properties.computeIfAbsent(path, k -> new LinkedHashMap<>());
            for (long k = 0; k < props; k++) {
                String name = string(b, segmentNo, "property name of " + path);
                int type = (int) u32(b, "type of property " + name, segmentNo);
                p.put(name, value(b, type, segmentNo, name));
            }
            if (prior == null) {
                list.add(a);
            }
        }
        return list;
    }

    private void addSegment(List<Active> active, long rawStart, long dataEnd, boolean interleaved, ByteOrder order,
                            int segmentNo) throws DasFileException {
        List<Active> withData = new ArrayList<>();
        for (Active a : active) {
            if (a.hasData && a.values > 0) {
                withData.add(a);
            }
        }
        if (withData.isEmpty()) {
            return;
        }
        int n = withData.size();
        int[] index = new int[n];
        long[] perChunk = new long[n];
        long[] offsets = new long[n];
        long chunkBytes = 0;
        int stride = 0;
        for (int i = 0; i < n; i++) {
            Active a = withData.get(i);
            int typeSize = typeSize(a.dataType);
            if (typeSize <= 0) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, file, "channel " + a.path
                        + " stores TDMS data type 0x" + Integer.toHexString(a.dataType)
                        + ", expected a numeric type");
            }
            Integer c = channelIndex.get(a.path);
            if (c == null) {
                c = channels.size();
                channels.add(new Channel(a.path, a.dataType, typeSize));
                channelIndex.put(a.path, c);
                if (c == valueCounts.length) {
                    valueCounts = java.util.Arrays.copyOf(valueCounts, c * 2);
                }
            } else if (channels.get(c).dataType() != a.dataType) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, file, "channel " + a.path
                        + " changes its data type in segment " + segmentNo);
            }
            index[i] = c;
            perChunk[i] = a.values;
            offsets[i] = interleaved ? stride : chunkBytes;
            chunkBytes = Math.addExact(chunkBytes, Math.multiplyExact(a.values, (long) typeSize));
            stride += typeSize;
        }
        if (interleaved) {
            for (int i = 1; i < n; i++) {
                if (perChunk[i] != perChunk[0]) {
                    throw corrupt(segmentNo, "interleaved channels declare different value counts");
                }
            }
        }
        long rawBytes = dataEnd - rawStart;
        long fullChunks = rawBytes / chunkBytes;
        long rest = rawBytes % chunkBytes;
        long lastValues = 0;
        if (rest != 0) {
            // a partial last chunk: every channel holds the same, smaller number of values (NI, npTDMS)
            if (rest % stride != 0) {
                throw new DasFileException(Reason.TRUNCATED, file, "segment " + segmentNo + " ends inside a value: "
                        + rest + " bytes after " + fullChunks + " whole chunks are not a multiple of the "
                        + stride + " bytes one value of every channel takes");
            }
            lastValues = rest / stride;
        }
        for (int i = 0; i < n; i++) {
            valueCounts[index[i]] += fullChunks * perChunk[i] + lastValues;
        }
        segments.add(new Segment(rawStart, chunkBytes, fullChunks, interleaved, order, index, perChunk, offsets,
                lastValues, stride));
    }

    // ---- reading values ----

    /**
     * Values of channels {@code [from, from + count)} (indexes into {@link #channels()}), channel-major with
     * {@code perChannel} values each; every channel must hold exactly {@code perChannel} values.
     */
    double[] read(int from, int count, int perChannel) throws DasFileException {
        double[] out = new double[Math.multiplyExact(count, perChannel)];
        long[] filled = new long[count];
        for (Segment s : segments) {
            // positions (within s.channelIndex) of the wanted channels
            int lo = Integer.MAX_VALUE;
            int hi = -1;
            for (int i = 0; i < s.channelIndex.length; i++) {
                int c = s.channelIndex[i];
                if (c >= from && c < from + count) {
                    lo = Math.min(lo, i);
                    hi = Math.max(hi, i);
                }
            }
            if (hi < 0) {
                continue;
            }
            long chunks = s.fullChunks + (s.lastChunkValues > 0 ? 1 : 0);
            for (long k = 0; k < chunks; k++) {
                boolean last = k == s.fullChunks;
                long chunkStart = s.rawStart + k * s.chunkBytes;
                long begin;
                long end;
                if (s.interleaved) {
                    long values = last ? s.lastChunkValues : s.valuesPerChunk[0];
                    begin = chunkStart;
                    end = chunkStart + values * s.stride;
                } else {
                    begin = chunkStart + offsetIn(s, lo, last);
                    end = chunkStart + offsetIn(s, hi, last) + valuesIn(s, hi, last) * typeSizeOf(s, hi);
                }
                ByteBuffer b = read(channel, file, begin, end - begin, s.order);
                for (int i = lo; i <= hi; i++) {
                    int c = s.channelIndex[i] - from;
                    if (c < 0 || c >= count) {
                        continue;
                    }
                    long values = valuesIn(s, i, last);
                    int typeSize = typeSizeOf(s, i);
                    long base = s.interleaved ? s.offsetInChunk[i] : offsetIn(s, i, last) - offsetIn(s, lo, last);
                    int step = s.interleaved ? s.stride : typeSize;
                    if (filled[c] + values > perChannel) {
                        throw new DasFileException(Reason.INCONSISTENT_AXES, file, "channel "
                                + channels.get(s.channelIndex[i]).path() + " holds more than " + perChannel
                                + " values");
                    }
                    int type = channels.get(s.channelIndex[i]).dataType();
                    int dst = Math.toIntExact(c * (long) perChannel + filled[c]);
                    for (long v = 0; v < values; v++) {
                        out[dst + (int) v] = decode(b, (int) (base + v * step), type);
                    }
                    filled[c] += values;
                }
            }
        }
        for (int c = 0; c < count; c++) {
            if (filled[c] != perChannel) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, file, "channel "
                        + channels.get(from + c).path() + " holds " + filled[c] + " values, expected " + perChannel);
            }
        }
        return out;
    }

    private long offsetIn(Segment s, int i, boolean lastChunk) {
        if (!lastChunk) {
            return s.offsetInChunk[i];
        }
        long off = 0;
        for (int j = 0; j < i; j++) {
            off += s.lastChunkValues * typeSizeOf(s, j);
        }
        return off;
    }

    private long valuesIn(Segment s, int i, boolean lastChunk) {
        return lastChunk ? s.lastChunkValues : s.valuesPerChunk[i];
    }

    private int typeSizeOf(Segment s, int i) {
        return channels.get(s.channelIndex[i]).typeSize();
    }

    private static double decode(ByteBuffer b, int at, int type) {
        return switch (type) {
            case 1 -> b.get(at);
            case 2 -> b.getShort(at);
            case 3 -> b.getInt(at);
            case 4 -> b.getLong(at);
            case 5 -> b.get(at) & 0xFF;
            case 6 -> b.getShort(at) & 0xFFFF;
            case 7 -> b.getInt(at) & 0xFFFFFFFFL;
            case 8 -> unsigned(b.getLong(at));
            case 9, 0x19 -> b.getFloat(at);
            case 10, 0x1A -> b.getDouble(at);
            default -> throw new IllegalStateException("unsupported type " + type);
        };
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : v + 0x1.0p64;
    }

    /** Size of one value of a numeric TDMS data type, or -1 when the type is not numeric / not supported. */
    static int typeSize(int type) {
        return switch (type) {
            case 1, 5 -> 1;
            case 2, 6 -> 2;
            case 3, 7, 9, 0x19 -> 4;
            case 4, 8, 10, 0x1A -> 8;
            default -> -1;
        };
    }

    /** The fosm data type name of a numeric TDMS type. */
    static String typeName(int type) {
        return switch (type) {
            case 1 -> "int8";
            case 2 -> "int16";
            case 3 -> "int32";
            case 4 -> "int64";
            case 5 -> "uint8";
            case 6 -> "uint16";
            case 7 -> "uint32";
            case 8 -> "uint64";
            case 9, 0x19 -> "float32";
            case 10, 0x1A -> "float64";
            default -> "tdms_type_" + type;
        };
    }

    // ---- low-level reads ----

    private static ByteBuffer read(FileChannel ch, String file, long at, long length, ByteOrder order)
            throws DasFileException {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new DasFileException(Reason.CORRUPT, file, "a read of " + length + " bytes at " + at);
        }
        ByteBuffer b = ByteBuffer.allocate((int) length).order(order);
        try {
            while (b.hasRemaining()) {
                int n = ch.read(b, at + b.position());
                if (n < 0) {
                    throw new DasFileException(Reason.TRUNCATED, file, "the file ends at byte "
                            + (at + b.position()) + ", expected " + length + " bytes from byte " + at);
                }
            }
        } catch (IOException e) {
            throw new DasFileException(Reason.UNREADABLE, file, "cannot read: " + e.getMessage(), e);
        }
        return b.flip();
    }

    private DasFileException corrupt(int segmentNo, String what) {
        return new DasFileException(Reason.CORRUPT, file, "TDMS segment " + segmentNo + " " + what);
    }

    private long u32(ByteBuffer b, String what, int segmentNo) throws DasFileException {
        need(b, 4, what, segmentNo);
        return b.getInt() & 0xFFFFFFFFL;
    }

    private long i64(ByteBuffer b, String what, int segmentNo) throws DasFileException {
        need(b, 8, what, segmentNo);
        return b.getLong();
    }

    private void need(ByteBuffer b, long n, String what, int segmentNo) throws DasFileException {
        if (b.remaining() < n) {
            throw new DasFileException(Reason.TRUNCATED, file, "TDMS segment " + segmentNo + " metadata ends before "
                    + what + " (" + n + " bytes needed, " + b.remaining() + " left)");
        }
    }

    private String string(ByteBuffer b, int segmentNo, String what) throws DasFileException {
        long n = u32(b, what + " length", segmentNo);
        need(b, n, what, segmentNo);
        byte[] s = new byte[(int) n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private Object value(ByteBuffer b, int type, int segmentNo, String name) throws DasFileException {
        String what = "value of property " + name;
        switch (type) {
            case 0x20:
                return string(b, segmentNo, what);
            case 0x44: {
                need(b, 16, what, segmentNo);
                long fractions = b.getLong();
                long seconds = b.getLong();
                // 2^-64 s fractions, rounded to the nearest microsecond like DASCore's timedelta
                double fractionMicros = (fractions >>> 11) * 0x1.0p-53 * 1e6;
                long micros = Math.addExact(Math.multiplyExact(seconds, 1_000_000L), Math.round(fractionMicros));
                return new Timestamp(micros - MICROS_1904_TO_1970);
            }
            case 0x21:
                need(b, 1, what, segmentNo);
                return b.get() != 0;
            case 0x0B:
            case 0x1B:
                need(b, 16, what, segmentNo);
                b.position(b.position() + 16);
                return Double.NaN; // 80-bit extended floats have no Java type; no DAS property uses them
            case 0x08000c:
                need(b, 8, what, segmentNo);
                b.position(b.position() + 8);
                return Double.NaN;
            case 0x10000d:
                need(b, 16, what, segmentNo);
                b.position(b.position() + 16);
                return Double.NaN;
            default:
                int size = typeSize(type);
                if (size < 0) {
                    throw corrupt(segmentNo, "property " + name + " has unknown type 0x" + Integer.toHexString(type));
                }
                need(b, size, what, segmentNo);
                int at = b.position();
                b.position(at + size);
                return switch (type) {
                    case 1 -> (long) b.get(at);
                    case 2 -> (long) b.getShort(at);
                    case 3 -> (long) b.getInt(at);
                    case 4 -> b.getLong(at);
                    case 5 -> (long) (b.get(at) & 0xFF);
                    case 6 -> (long) (b.getShort(at) & 0xFFFF);
                    case 7 -> b.getInt(at) & 0xFFFFFFFFL;
                    case 8 -> b.getLong(at);
                    case 9, 0x19 -> (double) b.getFloat(at);
                    default -> b.getDouble(at);
                };
        }
    }
}
