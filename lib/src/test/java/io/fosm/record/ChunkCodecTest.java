package io.fosm.record;

import io.fosm.record.MalformedRecordException.Reason;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ChunkCodecTest {

    private static ChunkRecord record(int channel, float... samples) {
        return new ChunkRecord("fiber-1", channel, 1_767_225_600_000_000L, 1000.0, samples, "iu-1", 42L + channel);
    }

    private static List<ChunkRecord> smallFile() {
        return List.of(record(0, 1f, -2f, 3.5f), record(1), record(2, Float.NaN, 0f));
    }

    @Test
    void roundTripsSingleRecord() {
        ChunkRecord r = record(7, 0.25f, -1e-30f, 3e38f);
        ChunkRecord back = ChunkCodec.decode(ChunkCodec.encode(r));
        assertEquals(r, back);
        assertArrayEquals(r.samples(), back.samples());
    }

    @Test
    void roundTripsSpecialFloatsBitExact() {
        float oddNan = Float.intBitsToFloat(0x7fc0_1234);
        float[] samples = {Float.NaN, oddNan, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f,
                Float.MIN_VALUE, Float.MAX_VALUE};
        ChunkRecord back = ChunkCodec.decode(ChunkCodec.encode(record(1, samples)));
        for (int i = 0; i < samples.length; i++) {
            assertEquals(Float.floatToRawIntBits(samples[i]), Float.floatToRawIntBits(back.samples()[i]), "sample " + i);
        }
    }

    @Test
    void roundTripsEmptySamplesUnicodeIdsAndExtremes() {
        ChunkRecord r = new ChunkRecord("Faser-Ü-光纤-🛢", -5, Long.MIN_VALUE, Double.NaN, new float[0], "", Long.MAX_VALUE);
        ChunkRecord back = ChunkCodec.decode(ChunkCodec.encode(r));
        assertEquals(r, back);
        assertEquals(0, back.sampleCount());
        assertEquals("Faser-Ü-光纤-🛢", back.fiberId());
    }

    @Test
    void recordLayoutIsBigEndianAsDocumented() {
        byte[] b = ChunkCodec.encode(new ChunkRecord("f", 3, 10L, 1000.0, new float[] {1.5f}, "iu", 9L));
        ByteBuffer buf = ByteBuffer.wrap(b);
        byte[] magic = new byte[4];
        buf.get(magic);
        assertEquals("FOSM", new String(magic));
        assertEquals(1, buf.get());
        assertEquals(1, buf.getShort());
        assertEquals('f', buf.get());
        assertEquals(3, buf.getInt());
        assertEquals(10L, buf.getLong());
        assertEquals(1000.0, buf.getDouble());
        assertEquals(2, buf.getShort());
        buf.get(new byte[2]);
        assertEquals(9L, buf.getLong());
        assertEquals(1, buf.getInt());
        assertEquals(1.5f, buf.getFloat());
        assertEquals(0, buf.remaining());
    }

    @Test
    void roundTripsFile() {
        List<ChunkRecord> records = smallFile();
        assertEquals(records, ChunkCodec.decodeFile(ChunkCodec.encodeFile(records)));
        assertEquals(List.of(), ChunkCodec.decodeFile(ChunkCodec.encodeFile(List.of())));
    }

    @Test
    void fileEndsWithCrc32OfEverythingBefore() {
        byte[] b = ChunkCodec.encodeFile(smallFile());
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(b, b.length - 4, 4).getInt());
        assertEquals("FOSF", new String(b, 0, 4));
        assertEquals(3, ByteBuffer.wrap(b, 5, 4).getInt());
    }

    @Test
    void badMagic() {
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decode("XXXXjunk".getBytes()));
        assertEquals(Reason.BAD_MAGIC, e.reason());
        assertEquals("bad_magic", e.reasonCode());
        assertTrue(e.getMessage().startsWith("Cannot decode chunk record: bad magic"), e.getMessage());
        // a file handed to the record decoder and vice versa is named as such
        MalformedRecordException swapped = assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decode(ChunkCodec.encodeFile(smallFile())));
        assertEquals(Reason.BAD_MAGIC, swapped.reason());
        assertTrue(swapped.getMessage().contains("chunk file"), swapped.getMessage());
        assertEquals(Reason.BAD_MAGIC, assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decodeFile(ChunkCodec.encode(record(1)))).reason());
    }

    @Test
    void unsupportedVersion() {
        byte[] rec = ChunkCodec.encode(record(1, 1f));
        rec[4] = 2;
        assertEquals(Reason.UNSUPPORTED_VERSION,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(rec)).reason());
        byte[] file = ChunkCodec.encodeFile(smallFile());
        file[4] = 9;
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decodeFile(file));
        assertEquals(Reason.UNSUPPORTED_VERSION, e.reason());
        assertTrue(e.getMessage().contains("9"), e.getMessage());
    }

    @Test
    void truncated() {
        byte[] rec = ChunkCodec.encode(record(1, 1f, 2f));
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decode(Arrays.copyOf(rec, rec.length - 1))).reason());
        byte[] file = ChunkCodec.encodeFile(smallFile());
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decodeFile(Arrays.copyOf(file, file.length - 10))).reason());
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decodeFile(new byte[0])).reason());
    }

    @Test
    void checksumMismatch() {
        byte[] file = ChunkCodec.encodeFile(smallFile());
        file[file.length - 12] ^= 0x01; // inside the last record's samples
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decodeFile(file));
        assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
        assertTrue(e.getMessage().matches("Cannot decode chunk file: checksum mismatch \\(stored \\d+, computed \\d+\\)"),
                e.getMessage());
    }

    @Test
    void badLength() {
        byte[] rec = ChunkCodec.encode(record(1, 1f));
        ByteBuffer.wrap(rec).putInt(rec.length - 8, -1); // sample count
        assertEquals(Reason.BAD_LENGTH,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(rec)).reason());
        byte[] huge = ChunkCodec.encode(record(1, 1f));
        ByteBuffer.wrap(huge).putInt(huge.length - 8, Integer.MAX_VALUE);
        assertEquals(Reason.BAD_LENGTH,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(huge)).reason());
        byte[] longString = ChunkCodec.encode(record(1));
        ByteBuffer.wrap(longString).putShort(5, (short) 0xFFFF);
        assertEquals(Reason.BAD_LENGTH,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(longString)).reason());
        byte[] file = ChunkCodec.encodeFile(smallFile());
        ByteBuffer.wrap(file).putInt(5, -3);
        assertEquals(Reason.BAD_LENGTH,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decodeFile(file)).reason());
        byte[] file2 = ChunkCodec.encodeFile(smallFile());
        ByteBuffer.wrap(file2).putInt(9, 3); // first record length below the minimum
        assertEquals(Reason.BAD_LENGTH,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decodeFile(file2)).reason());
    }

    @Test
    void trailingBytes() {
        byte[] rec = ChunkCodec.encode(record(1, 1f));
        assertEquals(Reason.TRAILING_BYTES, assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decode(Arrays.copyOf(rec, rec.length + 3))).reason());
        byte[] file = ChunkCodec.encodeFile(smallFile());
        assertEquals(Reason.TRAILING_BYTES, assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decodeFile(Arrays.copyOf(file, file.length + 7))).reason());
    }

    @Test
    void badUtf8String() {
        byte[] rec = ChunkCodec.encode(new ChunkRecord("ab", 1, 0L, 1.0, new float[0], "iu", 0L));
        rec[7] = (byte) 0xC3; // a lead byte followed by 'b': invalid
        assertEquals(Reason.BAD_STRING,
                assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(rec)).reason());
    }

    @Test
    void encodeRejectsOversizeFields() {
        String longId = "x".repeat(ChunkCodec.MAX_STRING_BYTES + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkCodec.encode(new ChunkRecord(longId, 0, 0L, 1.0, new float[0], "iu", 0L)));
        assertEquals("fiberId must be at most 1024 UTF-8 bytes, cannot be: 1025", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChunkCodec.encode(
                record(0, new float[ChunkCodec.MAX_SAMPLES + 1])));
    }

    @Test
    void everyTruncationOfAValidFileFailsCleanly() {
        byte[] file = ChunkCodec.encodeFile(smallFile());
        for (int len = 0; len < file.length; len++) {
            byte[] cut = Arrays.copyOf(file, len);
            MalformedRecordException e = expectMalformedFile(cut, "truncated to " + len);
            assertEquals(Reason.TRUNCATED, e.reason(), "truncated to " + len + ": " + e.getMessage());
        }
        byte[] rec = ChunkCodec.encode(record(3, 1f, 2f, 3f));
        for (int len = 0; len < rec.length; len++) {
            byte[] cut = Arrays.copyOf(rec, len);
            try {
                ChunkCodec.decode(cut);
                fail("decoded a record truncated to " + len);
            } catch (MalformedRecordException e) {
                assertEquals(Reason.TRUNCATED, e.reason(), "truncated to " + len + ": " + e.getMessage());
            }
        }
    }

    @Test
    void everySingleBitFlipOfAFileIsDetected() {
        byte[] file = ChunkCodec.encodeFile(smallFile());
        for (int bit = 0; bit < file.length * 8; bit++) {
            byte[] flipped = file.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            expectMalformedFile(flipped, "bit " + bit);
        }
    }

    @Test
    void randomGarbageOnlyEverThrowsMalformed() {
        SplittableRandom rnd = new SplittableRandom(1);
        byte[] valid = ChunkCodec.encodeFile(smallFile());
        byte[] validRecord = ChunkCodec.encode(record(1, 1f, 2f));
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[rnd.nextInt(0, 200)];
            rnd.nextBytes(garbage);
            // a valid header makes the fuzz reach the deeper parsers
            if (i % 3 == 1) {
                System.arraycopy(valid, 0, garbage, 0, Math.min(5, garbage.length));
            } else if (i % 3 == 2) {
                System.arraycopy(validRecord, 0, garbage, 0, Math.min(5, garbage.length));
            }
            decodeAnyway(garbage);
        }
        // multi-byte corruption of valid encodings
        for (int i = 0; i < 20_000; i++) {
            byte[] base = (i % 2 == 0 ? valid : validRecord).clone();
            for (int k = rnd.nextInt(1, 6); k > 0; k--) {
                base[rnd.nextInt(base.length)] = (byte) rnd.nextInt(256);
            }
            decodeAnyway(base);
        }
    }

    private static void decodeAnyway(byte[] bytes) {
        for (boolean asFile : new boolean[] {true, false}) {
            try {
                if (asFile) {
                    ChunkCodec.decodeFile(bytes);
                } else {
                    ChunkCodec.decode(bytes);
                }
            } catch (MalformedRecordException expected) {
                assertTrue(expected.getMessage().startsWith("Cannot decode chunk "), expected.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError("decoder threw " + e + " for " + Arrays.toString(bytes), e);
            }
        }
    }

    private static MalformedRecordException expectMalformedFile(byte[] bytes, String what) {
        try {
            List<ChunkRecord> decoded = ChunkCodec.decodeFile(bytes);
            throw new AssertionError("decoded a corrupt file (" + what + "): " + new ArrayList<>(decoded));
        } catch (MalformedRecordException e) {
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError("decoder threw " + e + " (" + what + ")", e);
        }
    }
}
