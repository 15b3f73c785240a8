package io.fosm.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Truncations at many offsets and random bit flips (fixed seeds) of every real sample file: a reader returns data of
 * a shape consistent with what the file declares, or throws {@link DasFileException}; never another exception type,
 * never a hang (a generous time-out guards against loops; it is no speed assertion).
 */
class DasReadersFuzzTest {

    private static final int TRUNCATIONS = 12;
    private static final int FLIP_FILES = 12;
    private static final int FLIPS_PER_FILE = 8;

    @TempDir
    Path tmp;

    @Test
    void truncatedAndBitFlippedFilesGiveDataOrANamedReason() throws Exception {
        for (String name : DasSamples.FILES) {
            byte[] original = Files.readAllBytes(DasSamples.file(name));
            DasFileInfo declared = shape(DasSamples.file(name));
            Random random = new Random(name.hashCode());
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                for (int k = 0; k < TRUNCATIONS; k++) {
                    // small offsets hit the headers, the rest spreads over the file
                    int at = k < 4 ? (int) (k * 37L + random.nextInt(64)) : random.nextInt(original.length);
                    Path f = Files.write(tmp.resolve("t" + k), Arrays.copyOf(original, at));
                    DasFileInfo got = readOrReason(f, name + " truncated to " + at + " bytes");
                    if (got != null) {
                        consistent(name, declared, got, "truncated to " + at);
                    } else if (!name.endsWith(".sgy") && at >= 16) {
                        // HDF5 (superblock end-of-file address) and TDMS (segment lengths) declare their size
                        assertEquals(DasFileException.Reason.TRUNCATED, reason(f), name + " truncated to " + at);
                    }
                }
                for (int k = 0; k < FLIP_FILES; k++) {
                    byte[] bytes = original.clone();
                    StringBuilder where = new StringBuilder();
                    for (int j = 0; j < FLIPS_PER_FILE; j++) {
                        // half the flips land in the first 4 KiB (headers, superblock, metadata)
                        int at = j % 2 == 0 ? random.nextInt(Math.min(4096, bytes.length))
                                : random.nextInt(bytes.length);
                        bytes[at] ^= (byte) (1 << random.nextInt(8));
                        where.append(at).append(' ');
                    }
                    Path f = Files.write(tmp.resolve("f" + k), bytes);
                    DasFileInfo got = readOrReason(f, name + " with bits flipped at " + where);
                    if (got != null) {
                        assertTrue(got.channels() >= 0 && got.timeSamples() >= 0, name + " flipped: " + got);
                    }
                }
            }, name);
        }
    }

    private static DasFileInfo shape(Path f) throws DasFileException {
        if (DasReaders.isBandEnergy(f)) {
            try (BandEnergyRecording r = DasReaders.openBandEnergy(f)) {
                return r.info();
            }
        }
        try (DasRecording r = DasReaders.open(f)) {
            return r.info();
        }
    }

    /** Opens and reads everything; null when a DasFileException says why not. */
    private static DasFileInfo readOrReason(Path f, String what) {
        try {
            if (DasReaders.isBandEnergy(f)) {
                try (BandEnergyRecording r = DasReaders.openBandEnergy(f)) {
                    for (int b = 0; b < r.bands().size(); b++) {
                        double[] d = r.readBand(b, 0, r.info().channels());
                        assertEquals((long) r.info().channels() * r.info().timeSamples(), d.length, what);
                    }
                    return r.info();
                }
            }
            try (DasRecording r = DasReaders.open(f)) {
                double[] d = r.readChannels(0, r.info().channels());
                assertEquals((long) r.info().channels() * r.info().timeSamples(), d.length, what);
                return r.info();
            }
        } catch (DasFileException e) {
            assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
            return null;
        } catch (RuntimeException | StackOverflowError e) {
            e.printStackTrace();
            fail(what + ": " + e + " escaped instead of a DasFileException");
            return null;
        }
    }

    private static DasFileException.Reason reason(Path f) {
        try {
            if (DasReaders.isBandEnergy(f)) {
                DasReaders.openBandEnergy(f).close();
            } else {
                DasReaders.open(f).close();
            }
            return null;
        } catch (DasFileException e) {
            return e.reason();
        }
    }

    private static void consistent(String name, DasFileInfo declared, DasFileInfo got, String what) {
        assertEquals("segy", declared.format(), name + " " + what + ": a cut-off file gave data " + got);
        if (declared.format().equals("segy")) {
            // SEG-Y declares no trace count: a cut at a trace boundary is a shorter, valid file
            assertTrue(got.channels() <= declared.channels(), name + " " + what + ": " + got);
            assertEquals(declared.timeSamples(), got.timeSamples(), name + " " + what);
        } else {
            assertEquals(declared.channels(), got.channels(), name + " " + what + " channels");
            assertEquals(declared.timeSamples(), got.timeSamples(), name + " " + what + " time samples");
        }
    }
}
