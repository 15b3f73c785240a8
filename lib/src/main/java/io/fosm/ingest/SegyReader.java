package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * SEG-Y revision 0, 1 and 2 files (one trace per channel), big endian (or little endian when a rev 2 file says so
 * with its byte-order constant 16909060 at binary header byte 3297).
 *
 * <p>Layout: 3200-byte textual header, 400-byte binary header, the number of 3200-byte extended textual headers
 * of binary header bytes 3505-3506, then traces of a 240-byte header and samples. Sample formats (binary header
 * 3225-3226): 1 IBM float32 (converted exactly to IEEE double), 2 int32, 3 int16, 5 IEEE float32, 6 IEEE float64,
 * 8 int8; others are UNSUPPORTED_VERSION. Detection follows DASCore/ObsPy's checks of the binary header. Files with
 * additional 240-byte trace headers (rev 2) are UNSUPPORTED_VERSION.
 *
 * <p>Metadata (as DASCore reads it, from the first trace header): samples per trace (bytes 115-116, else binary
 * 3221-3222, else rev 2's 3269-3272) and sample interval in microseconds (117-118, else binary 3217-3218); start time
 * from year/day-of-year/hour/minute/second (157-166), UTC; channels = traces (every trace must declare the same
 * sample count; the file size must be a whole number of traces, else TRUNCATED); spacing and start distance NaN
 * (SEG-Y has a channel index only); start channel 0; gauge length NaN; unit from the trace value measurement unit
 * (203-204: 1 Pa, 2 V, 3 mA, 4 A, 5 m, 6 m/s, 7 m/s2, 8 N, 9 W), "count" otherwise; scale 1; vendor "unknown";
 * version "major.minor" from binary bytes 3501-3502.
 */
public final class SegyReader implements DasReader {

    private static final int TEXT = 3200;
    private static final int BINARY = 400;
    private static final int TRACE_HEADER = 240;
    private static final String[] UNITS = {"count", "Pa", "V", "mA", "A", "m", "m/s", "m/s2", "N", "W"};

    @Override
    public String format() {
        return "segy";
    }

    @Override
    public boolean accepts(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < TEXT + BINARY) {
                return false;
            }
            ByteBuffer bin = readFully(ch, file.toString(), TEXT, BINARY);
            return looksLikeSegy(bin);
        } catch (IOException | DasFileException | RuntimeException e) {
            return false;
        }
    }

    /** DASCore's (ObsPy's) plausibility checks of the binary header, read big endian. */
    private static boolean looksLikeSegy(ByteBuffer bin) {
        bin.order(ByteOrder.BIG_ENDIAN);
        int traces = bin.getShort(12);
        int aux = bin.getShort(14);
        int interval = bin.getShort(16);
        int samples = bin.getShort(20);
        int format = bin.getShort(24);
        int major = bin.get(300);
        int minor = bin.get(301);
        int fixed = bin.getShort(302);
        return samples > 0 && interval >= 0 && format >= 1 && format <= 16 && major >= 0 && major <= 3
                && traces >= 0 && aux >= 0 && (minor >= 0 && minor <= 3 || minor == 100) && (fixed == 0 || fixed == 1);
    }

    @Override
    public DasRecording open(Path file) throws DasFileException {
        String name = file.toString();
        FileChannel ch;
        long size;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            size = ch.size();
        } catch (IOException e) {
            throw new DasFileException(Reason.UNREADABLE, name, "cannot open: " + e.getMessage(), e);
        }
        try {
            if (size < TEXT + BINARY) {
                throw new DasFileException(Reason.TRUNCATED, name, "a SEG-Y file needs 3600 header bytes, it has "
                        + size);
            }
            ByteBuffer bin = readFully(ch, name, TEXT, BINARY);
            if (!looksLikeSegy(bin)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, name, "the binary header at byte 3200 is not "
                        + "SEG-Y");
            }
            int major = bin.get(300) & 0xFF;
            int minor = bin.get(301) & 0xFF;
            if (major > 2) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, name, "SEG-Y revision " + major + "." + minor
                        + ", expected 0, 1 or 2");
            }
            ByteOrder order = ByteOrder.BIG_ENDIAN;
            if (major >= 2 && bin.getInt(96) == 0x04030201) {
                order = ByteOrder.LITTLE_ENDIAN;
                bin.order(order);
            }
            int format = bin.getShort(24);
            int sampleBytes = switch (format) {
                case 1, 2, 5 -> 4;
                case 3 -> 2;
                case 6 -> 8;
                case 8 -> 1;
                default -> throw new DasFileException(Reason.UNSUPPORTED_VERSION, name, "SEG-Y sample format code "
                        + format + ", expected 1, 2, 3, 5, 6 or 8");
            };
            int extended = major >= 1 ? bin.getShort(304) : 0;
            if (extended < 0) {
                extended = 0; // -1: a variable number, ended by an "EndText" stanza, which this reader does not scan
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, name, "a variable number of extended textual "
                        + "headers");
            }
            if (major >= 2 && bin.getInt(306) > 0) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, name, bin.getInt(306)
                        + " additional trace headers per trace");
            }
            long first = TEXT + BINARY + (long) extended * TEXT;
            if (size < first + TRACE_HEADER) {
                throw new DasFileException(Reason.TRUNCATED, name, "no complete trace header after "
                        + extended + " extended textual headers (" + size + " bytes)");
            }
            ByteBuffer th = readFully(ch, name, first, TRACE_HEADER).order(order);
            int samples = th.getShort(114) & 0xFFFF;
            if (samples == 0) {
                samples = bin.getShort(20) & 0xFFFF;
            }
            if (samples == 0 && major >= 2) {
                samples = bin.getInt(268);
            }
            int interval = th.getShort(116) & 0xFFFF;
            if (interval == 0) {
                interval = bin.getShort(16) & 0xFFFF;
            }
            if (samples <= 0 || interval <= 0) {
                throw new DasFileException(Reason.CORRUPT, name, "samples per trace " + samples + " and interval "
                        + interval + " us, expected both > 0");
            }
            long traceBytes = TRACE_HEADER + (long) samples * sampleBytes;
            long body = size - first;
            if (body % traceBytes != 0) {
                throw new DasFileException(Reason.TRUNCATED, name, body + " bytes of traces are not a whole number of "
                        + traceBytes + "-byte traces (" + samples + " samples of format " + format + ")");
            }
            long traces = body / traceBytes;
            if (traces > Integer.MAX_VALUE) {
                throw new DasFileException(Reason.CORRUPT, name, traces + " traces");
            }
            int year = th.getShort(156);
            int day = th.getShort(158);
            int hour = th.getShort(160);
            int minute = th.getShort(162);
            int second = th.getShort(164);
            long start;
            try {
                start = LocalDate.ofYearDay(year, day).atTime(hour, minute, second).toEpochSecond(ZoneOffset.UTC)
                        * 1_000_000L;
            } catch (java.time.DateTimeException e) {
                throw new DasFileException(Reason.CORRUPT, name, "trace header time " + year + "." + day + " "
                        + hour + ":" + minute + ":" + second + " is not a valid date");
            }
            int unitCode = th.getShort(202);
            String unit = unitCode >= 0 && unitCode < UNITS.length ? UNITS[unitCode] : "count";
            String type = switch (format) {
                case 1 -> "ibm_float32";
                case 2 -> "int32";
                case 3 -> "int16";
                case 5 -> "float32";
                case 6 -> "float64";
                default -> "int8";
            };
            DasFileInfo info = new DasFileInfo(format(), major + "." + minor, "unknown", 1e6 / interval, Double.NaN,
                    0, Double.NaN, start, Double.NaN, type, 1.0, unit, samples, (int) traces);
            return new SegyRecording(info, ch, name, order, format, sampleBytes, first, traceBytes);
        } catch (DasFileException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the reason below is what matters
            }
            if (e instanceof RuntimeException r) {
                throw new DasFileException(Reason.CORRUPT, name, "cannot read the SEG-Y headers (" + r + ")", r);
            }
            throw e;
        }
    }

    static ByteBuffer readFully(FileChannel ch, String file, long at, long length) throws DasFileException {
        if (length > Integer.MAX_VALUE - 8) {
            throw new DasFileException(Reason.CORRUPT, file, "a read of " + length + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) length);
        try {
            while (b.hasRemaining()) {
                if (ch.read(b, at + b.position()) < 0) {
                    throw new DasFileException(Reason.TRUNCATED, file, "the file ends at byte " + (at + b.position())
                            + ", expected " + length + " bytes from byte " + at);
                }
            }
        } catch (IOException e) {
            throw new DasFileException(Reason.UNREADABLE, file, "cannot read: " + e.getMessage(), e);
        }
        return b.flip();
    }

    /** IBM System/360 single precision (sign, base-16 exponent biased by 64, 24-bit fraction) to a double, exactly. */
    static double ibmToDouble(int bits) {
        int fraction = bits & 0x00FFFFFF;
        if (fraction == 0) {
            return 0.0;
        }
        int exponent = (bits >>> 24) & 0x7F;
        double value = Math.scalb((double) fraction, 4 * (exponent - 64) - 24);
        return bits < 0 ? -value : value;
    }

    private record SegyRecording(DasFileInfo info, FileChannel channel, String file, ByteOrder order, int format,
                                 int sampleBytes, long first, long traceBytes) implements DasRecording {
        @Override
        public double[] readChannels(int from, int count) throws DasFileException {
            Blocks.checkRange(from, count, info.channels());
            int nt = info.timeSamples();
            double[] out = new double[Math.multiplyExact(count, nt)];
            if (count == 0) {
                return out;
            }
            ByteBuffer b = readFully(channel, file, first + from * traceBytes, count * traceBytes).order(order);
            for (int c = 0; c < count; c++) {
                int base = (int) (c * traceBytes);
                int declared = b.getShort(base + 114) & 0xFFFF;
                if (declared != 0 && declared != nt) {
                    throw new DasFileException(Reason.INCONSISTENT_AXES, file, "trace " + (from + c) + " declares "
                            + declared + " samples, the first trace " + nt);
                }
                int data = base + TRACE_HEADER;
                for (int t = 0; t < nt; t++) {
                    int at = data + t * sampleBytes;
                    out[c * nt + t] = switch (format) {
                        case 1 -> ibmToDouble(b.getInt(at));
                        case 2 -> b.getInt(at);
                        case 3 -> b.getShort(at);
                        case 5 -> b.getFloat(at);
                        case 6 -> b.getDouble(at);
                        default -> b.get(at);
                    };
                }
            }
            return out;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // read-only
            }
        }
    }
}
