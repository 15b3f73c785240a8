package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detection by content, the cross-format iDAS pair, FOSF and TDMS layouts, and the named failure reasons. */
class DasReadersTest {

    @TempDir
    Path tmp;

    @Test
    void prodml21AndTdmsOfTheSameRecordingGiveIdenticalSamplesAndMetadata() throws Exception {
        try (DasRecording h5 = DasReaders.open(DasSamples.file("iDAS005_hdf5_example.626.h5"));
             DasRecording tdms = DasReaders.open(DasSamples.file("iDAS005_tdms_example.626.tdms"))) {
            DasFileInfo a = h5.info();
            DasFileInfo b = tdms.info();
            assertEquals("prodml", a.format());
            assertEquals("silixa_tdms", b.format());
            assertEquals(a.sampleRateHz(), b.sampleRateHz());
            assertEquals(a.startTimeMicros(), b.startTimeMicros());
            assertEquals(a.timeSamples(), b.timeSamples());
            assertEquals(a.channels(), b.channels());
            assertEquals(a.gaugeLengthMetres(), b.gaugeLengthMetres());
            assertEquals(a.dataType(), b.dataType());
            assertEquals(a.scale(), b.scale());
            assertEquals(a.vendor(), b.vendor());
            // the two files store the spacing in different precision (float64 attribute vs a float32 multiplier)
            assertEquals(a.channelSpacingMetres(), b.channelSpacingMetres(), 1e-6);
            assertArrayEquals(h5.readChannels(0, a.channels()), tdms.readChannels(0, b.channels()));
        }
    }

    @Test
    void formatComesFromTheContentNotTheName() throws Exception {
        for (String name : DasSamples.FILES) {
            if (name.equals("prodml_fbe_1.h5")) {
                continue;
            }
            Path renamed = Files.copy(DasSamples.file(name), tmp.resolve("recording.dat"));
            try (DasRecording original = DasReaders.open(DasSamples.file(name));
                 DasRecording copy = DasReaders.open(renamed)) {
                assertEquals(original.info(), copy.info(), name);
            }
            Files.delete(renamed);
        }
        assertTrue(DasReaders.isBandEnergy(DasSamples.file("prodml_fbe_1.h5")));
        assertTrue(!DasReaders.isBandEnergy(DasSamples.file("prodml_2.0.h5")));
    }

    @Test
    void eachReaderAcceptsOnlyItsOwnFormat() {
        for (DasReader reader : DasReaders.all()) {
            for (String name : DasSamples.FILES) {
                boolean accepted = reader.accepts(DasSamples.file(name));
                boolean own = switch (reader.format()) {
                    case "prodml" -> name.equals("prodml_2.0.h5") || name.equals("iDAS005_hdf5_example.626.h5");
                    case "silixa_tdms" -> name.endsWith(".tdms");
                    case "terra15" -> name.startsWith("terra15");
                    case "febus" -> name.startsWith("febus");
                    case "ap_sensing" -> name.startsWith("ap_sensing");
                    case "optodas" -> name.contains("optodas");
                    case "segy" -> name.endsWith(".sgy");
                    default -> false;
                };
                assertEquals(own, accepted, reader.format() + " on " + name);
            }
        }
    }

    @Test
    void bandEnergyFileIsRefusedByOpenWithAClearReason() {
        DasFileException e = assertThrows(DasFileException.class,
                () -> DasReaders.open(DasSamples.file("prodml_fbe_1.h5")));
        assertEquals(Reason.UNSUPPORTED_VERSION, e.reason());
        assertTrue(e.getMessage().contains("openBandEnergy"), e.getMessage());
        assertTrue(e.getMessage().contains("prodml_fbe_1.h5"), e.getMessage());
        DasFileException raw = assertThrows(DasFileException.class,
                () -> DasReaders.openBandEnergy(DasSamples.file("prodml_2.0.h5")));
        assertEquals(Reason.UNKNOWN_FORMAT, raw.reason());
    }

    @Test
    void unknownAndUnreadableFilesAreNamed() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.h5"), "not a DAS file at all\n".repeat(300));
        DasFileException unknown = assertThrows(DasFileException.class, () -> DasReaders.open(text));
        assertEquals(Reason.UNKNOWN_FORMAT, unknown.reason());
        assertEquals("unknown_format", unknown.reason().code());
        assertEquals(text.toString(), unknown.file());
        DasFileException missing = assertThrows(DasFileException.class,
                () -> DasReaders.open(tmp.resolve("absent.h5")));
        assertEquals(Reason.UNREADABLE, missing.reason());
        DasFileException dir = assertThrows(DasFileException.class, () -> DasReaders.open(tmp));
        assertEquals(Reason.UNREADABLE, dir.reason());
    }

    @Test
    void prodmlOfAnotherSchemaVersionOrWithoutRawDataIsNamed() throws Exception {
        Path v3 = prodmlSkeleton("v3.h5", "3.0", true);
        DasFileException version = assertThrows(DasFileException.class, () -> new ProdmlReader().open(v3));
        assertEquals(Reason.UNSUPPORTED_VERSION, version.reason());
        assertTrue(version.getMessage().contains("3.0"), version.getMessage());
        Path noRaw = prodmlSkeleton("noraw.h5", "2.0", false);
        DasFileException missing = assertThrows(DasFileException.class, () -> new ProdmlReader().open(noRaw));
        assertEquals(Reason.MISSING_DATASET, missing.reason());
        assertEquals(Reason.UNKNOWN_FORMAT, assertThrows(DasFileException.class,
                () -> DasReaders.open(noRaw)).reason());
    }

    @Test
    void prodmlStoredLocusByTimeReadsTheSameAsTimeByLocus() throws Exception {
        int loci = 5;
        int times = 7;
        short[][] timeByLocus = new short[times][loci];
        short[][] locusByTime = new short[loci][times];
        for (int t = 0; t < times; t++) {
            for (int x = 0; x < loci; x++) {
                timeByLocus[t][x] = (short) (100 * x + t - 250);
                locusByTime[x][t] = timeByLocus[t][x];
            }
        }
        Path a = prodml("time_locus.h5", timeByLocus, new String[] {"time", "locus"}, loci, times);
        Path b = prodml("locus_time.h5", locusByTime, new String[] {"locus", "time"}, loci, times);
        try (DasRecording ra = DasReaders.open(a); DasRecording rb = DasReaders.open(b)) {
            assertEquals(ra.info(), rb.info());
            assertEquals(times, rb.info().timeSamples());
            assertEquals(loci, rb.info().channels());
            assertEquals(500.0, rb.info().sampleRateHz());
            assertEquals(-3, rb.info().startChannel());
            assertEquals(-3 * 2.5, rb.info().startDistanceMetres());
            assertEquals(1_600_000_000_000_000L, rb.info().startTimeMicros());
            double[] all = rb.readChannels(0, loci);
            assertArrayEquals(ra.readChannels(0, loci), all);
            assertEquals(100 * 3 + 6 - 250, all[3 * times + 6]);
            assertArrayEquals(Arrays.copyOfRange(all, 2 * times, 4 * times), rb.readChannels(2, 2));
        }
    }

    private Path prodml(String name, short[][] data, String[] dims, int loci, int times) {
        Path p = tmp.resolve(name);
        try (WritableHdfFile w = HdfFile.write(p)) {
            WritableGroup acq = w.putGroup("Acquisition");
            acq.putAttribute("PulseRate", 1000.0);
            acq.putAttribute("PulseWidth", 50.0);
            acq.putAttribute("NumberOfLoci", (long) loci);
            acq.putAttribute("schemaVersion", "2.1");
            acq.putAttribute("uuid", "x");
            acq.putAttribute("SpatialSamplingInterval", 2.5);
            acq.putAttribute("GaugeLength", 10.0);
            WritableGroup raw = acq.putGroup("Raw[0]");
            raw.putAttribute("OutputDataRate", 500.0);
            raw.putAttribute("StartLocusIndex", -3L);
            raw.putAttribute("RawDataUnit", "rad/s");
            raw.putDataset("RawData", data).putAttribute("Dimensions", dims);
            long[] time = new long[times];
            for (int t = 0; t < times; t++) {
                time[t] = 1_600_000_000_000_000L + t * 2000L;
            }
            raw.putDataset("RawDataTime", time).putAttribute("PartStartTime", "2020-09-13T12:26:40.000000+00:00");
        }
        return p;
    }

    private Path prodmlSkeleton(String name, String version, boolean withRaw) {
        Path p = tmp.resolve(name);
        try (WritableHdfFile w = HdfFile.write(p)) {
            WritableGroup acq = w.putGroup("Acquisition");
            acq.putAttribute("PulseRate", 1000.0);
            acq.putAttribute("PulseWidth", 50.0);
            acq.putAttribute("NumberOfLoci", 4L);
            acq.putAttribute("schemaVersion", version);
            acq.putAttribute("uuid", "x");
            acq.putAttribute("SpatialSamplingInterval", 1.0);
            if (withRaw) {
                WritableGroup raw = acq.putGroup("Raw[0]");
                raw.putDataset("RawData", new short[][] {{1, 2, 3, 4}, {5, 6, 7, 8}});
                raw.putDataset("RawDataTime", new long[] {0, 1000});
            }
        }
        return p;
    }

    @Test
    void segyWithAnUnsupportedSampleFormatOrTruncatedTraceIsNamed() throws Exception {
        byte[] bytes = Files.readAllBytes(DasSamples.file("small_channel_patch.sgy"));
        byte[] format4 = bytes.clone();
        format4[3225] = 4; // fixed-point with gain code: not supported
        Path f4 = Files.write(tmp.resolve("f4.sgy"), format4);
        assertEquals(Reason.UNSUPPORTED_VERSION, assertThrows(DasFileException.class, () -> DasReaders.open(f4))
                .reason());
        Path cut = Files.write(tmp.resolve("cut.sgy"), Arrays.copyOf(bytes, bytes.length - 7));
        assertEquals(Reason.TRUNCATED, assertThrows(DasFileException.class, () -> DasReaders.open(cut)).reason());
        // IEEE float32 (format 5) with the same bits reads as IEEE, not IBM
        byte[] ieee = bytes.clone();
        ieee[3225] = 5;
        ByteBuffer b = ByteBuffer.wrap(ieee);
        b.putFloat(3600 + 240, 1.5f);
        Path f5 = Files.write(tmp.resolve("f5.sgy"), ieee);
        try (DasRecording r = DasReaders.open(f5)) {
            assertEquals("float32", r.info().dataType());
            assertEquals(1.5, r.readChannels(0, 1)[0]);
        }
    }

    @Test
    void ibmFloatsConvertExactly() {
        assertEquals(0.0, SegyReader.ibmToDouble(0));
        assertEquals(1.0, SegyReader.ibmToDouble(0x41100000));
        assertEquals(-118.625, SegyReader.ibmToDouble(0xC276A000));
        assertEquals(0.15625, SegyReader.ibmToDouble(0x40280000));
    }

    @Test
    void fosfGridReadsBackAndNonGridIsInconsistent() throws Exception {
        List<ChunkRecord> records = new ArrayList<>();
        long start = 1_700_000_000_000_000L;
        for (int chunk = 0; chunk < 3; chunk++) {
            for (int ch = 5; ch < 9; ch++) {
                float[] s = new float[100];
                for (int i = 0; i < s.length; i++) {
                    s[i] = ch * 1000 + chunk * 100 + i;
                }
                records.add(new ChunkRecord("f1", ch, start + chunk * 100_000L, 1000.0, s, "i1", records.size()));
            }
        }
        Path grid = Files.write(tmp.resolve("grid.bin"), ChunkCodec.encodeFile(records));
        try (DasRecording r = DasReaders.open(grid)) {
            DasFileInfo info = r.info();
            assertEquals("fosf", info.format());
            assertEquals(5, info.startChannel());
            assertEquals(4, info.channels());
            assertEquals(300, info.timeSamples());
            assertEquals(start, info.startTimeMicros());
            assertEquals(1000.0, info.sampleRateHz());
            double[] d = r.readChannels(1, 2);
            assertEquals(6000.0, d[0]);
            assertEquals(6000.0 + 299, d[299]);
            assertEquals(7000.0 + 250, d[300 + 250]);
        }
        records.remove(5);
        Path holey = Files.write(tmp.resolve("holey.bin"), ChunkCodec.encodeFile(records));
        assertEquals(Reason.INCONSISTENT_AXES, assertThrows(DasFileException.class, () -> DasReaders.open(holey))
                .reason());
        byte[] bytes = ChunkCodec.encodeFile(records);
        bytes[bytes.length - 30] ^= 1;
        Path flipped = Files.write(tmp.resolve("flipped.bin"), bytes);
        assertEquals(Reason.CORRUPT, assertThrows(DasFileException.class, () -> DasReaders.open(flipped)).reason());
    }

    @Test
    void tdmsInterleavedMultiSegmentFileReadsPerTheLayout() throws Exception {
        // segment 0: metadata (file properties, 3 float32 channels of 2 values per chunk), interleaved, 2 chunks;
        // segment 1: raw data only (same objects), non-interleaved, 1 chunk plus a partial chunk of 1 value each
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        Le m = new Le(meta);
        m.u32(5);
        m.str("/");
        m.u32(0xFFFFFFFFL);
        m.u32(2);
        m.str("SamplingFrequency[Hz]");
        m.u32(10);
        m.f64(250.0);
        m.str("GPSTimeStamp");
        m.u32(0x44);
        m.u64(1L << 63); // half a second
        m.u64(2_082_844_800L + 1_000_000_000L);
        m.str("/'g'");
        m.u32(0xFFFFFFFFL);
        m.u32(0);
        for (String c : new String[] {"a", "b", "c"}) {
            m.str("/'g'/'" + c + "'");
            m.u32(20);
            m.u32(9);
            m.u32(1);
            m.u64(2);
            m.u32(0);
        }
        byte[] metadata = meta.toByteArray();
        float[][] expected = {{1, 2, 3, 4, 5, 6, 7}, {11, 12, 13, 14, 15, 16, 17}, {21, 22, 23, 24, 25, 26, 27}};
        ByteArrayOutputStream raw0 = new ByteArrayOutputStream();
        Le r0 = new Le(raw0);
        for (int v = 0; v < 4; v++) {
            for (int c = 0; c < 3; c++) {
                r0.f32(expected[c][v]);
            }
        }
        ByteArrayOutputStream raw1 = new ByteArrayOutputStream();
        Le r1 = new Le(raw1);
        for (int c = 0; c < 3; c++) {
            r1.f32(expected[c][4]);
            r1.f32(expected[c][5]);
        }
        for (int c = 0; c < 3; c++) {
            r1.f32(expected[c][6]);
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Le out = new Le(file);
        out.raw("TDSm".getBytes(StandardCharsets.US_ASCII));
        out.u32((1 << 1) | (1 << 2) | (1 << 3) | (1 << 5));
        out.u32(4713);
        out.u64(metadata.length + raw0.size());
        out.u64(metadata.length);
        out.raw(metadata);
        out.raw(raw0.toByteArray());
        out.raw("TDSm".getBytes(StandardCharsets.US_ASCII));
        out.u32(1 << 3);
        out.u32(4713);
        out.u64(raw1.size());
        out.u64(0);
        out.raw(raw1.toByteArray());
        Path tdms = Files.write(tmp.resolve("synthetic.tdms"), file.toByteArray());
        // a generic TDMS file: SilixaTdmsReader needs Silixa's spacing properties
        DasFileException e = assertThrows(DasFileException.class, () -> DasReaders.open(tdms));
        assertEquals(Reason.MISSING_DATASET, e.reason());
        assertTrue(e.getMessage().contains("SpatialResolution[m]"), e.getMessage());
        try (TdmsFile t = TdmsFile.open(tdms)) {
            assertEquals(3, t.channels().size());
            assertEquals(7, t.valueCount(0));
            assertEquals(1_000_000_000L * 1_000_000L + 500_000L,
                    ((TdmsFile.Timestamp) t.fileProperties().get("GPSTimeStamp")).epochMicros());
            double[] all = t.read(0, 3, 7);
            for (int c = 0; c < 3; c++) {
                for (int v = 0; v < 7; v++) {
                    assertEquals(expected[c][v], all[c * 7 + v], "channel " + c + " value " + v);
                }
            }
            assertArrayEquals(Arrays.copyOfRange(all, 7, 14), t.read(1, 1, 7));
        }
        byte[] bytes = file.toByteArray();
        Path cut = Files.write(tmp.resolve("cut.tdms"), Arrays.copyOf(bytes, bytes.length - 5));
        assertEquals(Reason.TRUNCATED, assertThrows(DasFileException.class, () -> TdmsFile.open(cut)).reason());
    }

    /** Little-endian writer for the synthetic TDMS file. */
    private record Le(ByteArrayOutputStream out) {
        void raw(byte[] b) {
            out.writeBytes(b);
        }

        void u32(long v) {
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        }

        void u64(long v) {
            raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        void f32(float v) {
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        }

        void f64(double v) {
            raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            raw(b);
        }
    }
}
