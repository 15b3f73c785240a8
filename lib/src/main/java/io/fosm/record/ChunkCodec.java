package io.fosm.record;

import io.fosm.record.MalformedRecordException.Reason;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The binary encoding of {@link ChunkRecord}s, for single records (Kafka message values) and for landing files.
 * All integers are big-endian. Layouts are documented in {@code docs/data-contracts-landing.md}.
 *
 * <p>Record: {@code "FOSM"}, version byte, fiberId (u16 length + UTF-8), channel int32, chunkStartMicros int64,
 * sampleRate float64, interrogatorId (u16 length + UTF-8), seq int64, sampleCount int32, samples float32 each.
 *
 * <p>File: {@code "FOSF"}, version byte, record count int32, then per record an int32 length followed by the record
 * encoding, then the CRC32 of every preceding byte as int32.
 *
 * <p>Decoders throw only {@link MalformedRecordException}, whatever the input: every length is checked against
 * both a cap and the bytes actually present before anything is allocated.
 */
public final class ChunkCodec {

    /** Current version of both the record and the file layout. */
    public static final byte VERSION = 1;
    /** Largest sample count a record may announce. */
    public static final int MAX_SAMPLES = 1_000_000;
    /** Largest UTF-8 length of an id string. */
    public static final int MAX_STRING_BYTES = 1024;

    private static final byte[] RECORD_MAGIC = {'F', 'O', 'S', 'M'};
    private static final byte[] FILE_MAGIC = {'F', 'O', 'S', 'F'};
    // magic + version + 2 string lengths + channel + start + rate + seq + count
    private static final int RECORD_FIXED_BYTES = 4 + 1 + 2 + 4 + 8 + 8 + 2 + 8 + 4;
    private static final int MAX_RECORD_BYTES = RECORD_FIXED_BYTES + 2 * MAX_STRING_BYTES + 4 * MAX_SAMPLES;
    private static final int FILE_HEADER_BYTES = 4 + 1 + 4;
    private static final int CRC_BYTES = 4;
    private static final String RECORD = "chunk record";
    private static final String FILE = "chunk file";

    private ChunkCodec() {
    }

    /** Encodes one record (the Kafka message value layout). */
    public static byte[] encode(ChunkRecord record) {
        Objects.requireNonNull(record, "record");
        byte[] fiber = utf8(record.fiberId(), "fiberId");
        byte[] interrogator = utf8(record.interrogatorId(), "interrogatorId");
        checkSampleCount(record);
        ByteBuffer buf = ByteBuffer.allocate(encodedSize(fiber, interrogator, record.samples().length));
        put(buf, record, fiber, interrogator);
        return buf.array();
    }

    /** Encodes a landing file: header, length-prefixed records, trailing CRC32. */
    public static byte[] encodeFile(List<ChunkRecord> records) {
        Objects.requireNonNull(records, "records");
        byte[][] fibers = new byte[records.size()][];
        byte[][] interrogators = new byte[records.size()][];
        long total = FILE_HEADER_BYTES + CRC_BYTES;
        for (int i = 0; i < records.size(); i++) {
            ChunkRecord r = Objects.requireNonNull(records.get(i), "records[" + i + "]");
            fibers[i] = utf8(r.fiberId(), "fiberId");
            interrogators[i] = utf8(r.interrogatorId(), "interrogatorId");
            checkSampleCount(r);
            total += 4 + encodedSize(fibers[i], interrogators[i], r.samples().length);
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("Cannot encode chunk file: " + records.size()
                    + " records need " + total + " bytes, more than a byte array holds");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) total);
        buf.put(FILE_MAGIC).put(VERSION).putInt(records.size());
        for (int i = 0; i < records.size(); i++) {
            ChunkRecord r = records.get(i);
            buf.putInt(encodedSize(fibers[i], interrogators[i], r.samples().length));
            put(buf, r, fibers[i], interrogators[i]);
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    /** Decodes one record produced by {@link #encode}; the bytes must hold exactly one record. */
    public static ChunkRecord decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return decodeRecord(bytes, 0, bytes.length, RECORD);
    }

    /** Decodes a landing file produced by {@link #encodeFile}, checking its structure and CRC32 first. */
    public static List<ChunkRecord> decodeFile(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        Reader in = new Reader(bytes, 0, bytes.length, FILE);
        in.magic(FILE_MAGIC, RECORD_MAGIC, "a single chunk record, not a chunk file");
        in.version();
        int count = in.int32();
        if (count < 0) {
            throw malformed(FILE, Reason.BAD_LENGTH, "negative record count " + count);
        }
        // Frame every record before trusting any of them: a bit flip inside a record must read as a checksum
        // mismatch, not as whatever that record's parser makes of it.
        int bodyEnd = bytes.length - CRC_BYTES;
        int[] offsets = new int[Math.min(count, 1024)];
        int[] lengths = new int[offsets.length];
        for (int i = 0; i < count; i++) {
            int length = in.int32Before(bodyEnd);
            if (length < RECORD_FIXED_BYTES || length > MAX_RECORD_BYTES) {
                throw malformed(FILE, Reason.BAD_LENGTH, "record " + i + " has length " + length
                        + ", expected " + RECORD_FIXED_BYTES + " to " + MAX_RECORD_BYTES);
            }
            if (length > bodyEnd - in.pos) {
                throw malformed(FILE, Reason.TRUNCATED, "record " + i + " needs " + length + " bytes, only "
                        + Math.max(0, bodyEnd - in.pos) + " left before the checksum");
            }
            if (i == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                lengths = Arrays.copyOf(lengths, lengths.length * 2);
            }
            offsets[i] = in.pos;
            lengths[i] = length;
            in.pos += length;
        }
        int left = bytes.length - in.pos;
        if (left < CRC_BYTES) {
            throw malformed(FILE, Reason.TRUNCATED, "the trailing checksum needs 4 bytes, only " + left + " left");
        }
        if (left > CRC_BYTES) {
            throw malformed(FILE, Reason.TRAILING_BYTES, (left - CRC_BYTES) + " bytes after the last of " + count
                    + " records");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bodyEnd);
        long computed = crc.getValue();
        long stored = in.int32() & 0xFFFFFFFFL;
        if (stored != computed) {
            throw malformed(FILE, Reason.CHECKSUM_MISMATCH, "checksum mismatch (stored " + stored + ", computed "
                    + computed + ")");
        }
        List<ChunkRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(decodeRecord(bytes, offsets[i], lengths[i], FILE + " record " + i));
        }
        return records;
    }

    private static ChunkRecord decodeRecord(byte[] bytes, int offset, int length, String what) {
        Reader in = new Reader(bytes, offset, length, what);
        in.magic(RECORD_MAGIC, FILE_MAGIC, "a chunk file, not a single chunk record");
        in.version();
        String fiberId = in.string("fiberId");
        int channel = in.int32();
        long chunkStart = in.int64();
        double sampleRate = Double.longBitsToDouble(in.int64());
        String interrogatorId = in.string("interrogatorId");
        long seq = in.int64();
        int count = in.int32();
        if (count < 0 || count > MAX_SAMPLES) {
            throw malformed(what, Reason.BAD_LENGTH, "sample count " + count + " outside 0.." + MAX_SAMPLES);
        }
        in.need(4L * count, "samples");
        float[] samples = new float[count];
        ByteBuffer.wrap(bytes, in.pos, 4 * count).asFloatBuffer().get(samples);
        in.pos += 4 * count;
        if (in.pos != in.end) {
            throw malformed(what, Reason.TRAILING_BYTES, (in.end - in.pos) + " bytes after the samples");
        }
        return new ChunkRecord(fiberId, channel, chunkStart, sampleRate, samples, interrogatorId, seq);
    }

    private static int encodedSize(byte[] fiber, byte[] interrogator, int samples) {
        return RECORD_FIXED_BYTES + fiber.length + interrogator.length + 4 * samples;
    }

    private static void put(ByteBuffer buf, ChunkRecord r, byte[] fiber, byte[] interrogator) {
        buf.put(RECORD_MAGIC).put(VERSION);
        buf.putShort((short) fiber.length).put(fiber);
        buf.putInt(r.channel()).putLong(r.chunkStartMicros()).putDouble(r.sampleRate());
        buf.putShort((short) interrogator.length).put(interrogator);
        buf.putLong(r.seq()).putInt(r.samples().length);
        // bulk copy through a float view: several times faster than putFloat per sample, same big-endian bytes
        buf.asFloatBuffer().put(r.samples());
        buf.position(buf.position() + 4 * r.samples().length);
    }

    private static byte[] utf8(String s, String field) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_STRING_BYTES
                    + " UTF-8 bytes, cannot be: " + b.length);
        }
        return b;
    }

    private static void checkSampleCount(ChunkRecord r) {
        if (r.samples().length > MAX_SAMPLES) {
            throw new IllegalArgumentException("samples must hold at most " + MAX_SAMPLES + " values, cannot be: "
                    + r.samples().length);
        }
    }

    private static MalformedRecordException malformed(String what, Reason reason, String detail) {
        return new MalformedRecordException(reason, "Cannot decode " + what + ": " + detail);
    }

    /** Bounds-checked big-endian cursor; every read checks the bytes are there first. */
    private static final class Reader {
        private final byte[] bytes;
        private final int end;
        private final String what;
        private int pos;

        Reader(byte[] bytes, int offset, int length, String what) {
            this.bytes = bytes;
            this.pos = offset;
            this.end = offset + length;
            this.what = what;
        }

        void need(long n, String field) {
            if (n > end - pos) {
                throw malformed(what, Reason.TRUNCATED, field + " needs " + n + " bytes at offset " + pos
                        + ", only " + (end - pos) + " left");
            }
        }

        void magic(byte[] expected, byte[] sibling, String siblingHint) {
            int present = Math.min(expected.length, end - pos);
            boolean prefix = Arrays.equals(bytes, pos, pos + present, expected, 0, present);
            if (!prefix) {
                boolean isSibling = present == sibling.length
                        && Arrays.equals(bytes, pos, pos + present, sibling, 0, present);
                throw malformed(what, Reason.BAD_MAGIC, "bad magic " + describe(pos, present) + ", expected \""
                        + new String(expected, StandardCharsets.US_ASCII) + "\""
                        + (isSibling ? " (this is " + siblingHint + ")" : ""));
            }
            need(expected.length, "magic");
            pos += expected.length;
        }

        void version() {
            need(1, "version");
            byte v = bytes[pos++];
            if (v != VERSION) {
                throw malformed(what, Reason.UNSUPPORTED_VERSION, "unsupported version " + (v & 0xFF)
                        + ", this reader knows " + VERSION);
            }
        }

        int int32() {
            need(4, "int32");
            int v = ((bytes[pos] & 0xFF) << 24) | ((bytes[pos + 1] & 0xFF) << 16) | ((bytes[pos + 2] & 0xFF) << 8)
                    | (bytes[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        /** An int32 that must end before {@code limit} (the file checksum is not part of the record area). */
        int int32Before(int limit) {
            if (4 > limit - pos) {
                throw malformed(what, Reason.TRUNCATED, "record length needs 4 bytes at offset " + pos + ", only "
                        + Math.max(0, limit - pos) + " left before the checksum");
            }
            return int32();
        }

        long int64() {
            need(8, "int64");
            long hi = int32() & 0xFFFFFFFFL;
            long lo = int32() & 0xFFFFFFFFL;
            return (hi << 32) | lo;
        }

        String string(String field) {
            need(2, field + " length");
            int len = ((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF);
            pos += 2;
            if (len > MAX_STRING_BYTES) {
                throw malformed(what, Reason.BAD_LENGTH, field + " length " + len + " exceeds " + MAX_STRING_BYTES);
            }
            need(len, field);
            try {
                // strict decoding: a corrupted id must not silently become a different, valid-looking id
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, pos, len));
                pos += len;
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw malformed(what, Reason.BAD_STRING, field + " is not valid UTF-8");
            }
        }

        private String describe(int from, int n) {
            StringBuilder sb = new StringBuilder("0x");
            for (int i = 0; i < n; i++) {
                sb.append(String.format("%02x", bytes[from + i] & 0xFF));
            }
            return n == 0 ? "(none)" : sb.toString();
        }
    }
}
