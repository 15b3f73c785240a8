package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.OrderedDataType;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 2-D HDF5 dataset of time x channel samples in either axis order, read per block of channels through jhdf slices
 * (so a big file is never in memory at once). Rows {@code [timeFrom, timeFrom + timeSamples)} are the file's samples
 * (Terra15 keeps unwritten rows at the end).
 */
final class Hdf5Matrix {

    private final Hdf5Source source;
    private final Dataset dataset;
    private final String path;
    private final int timeAxis;
    private final int timeFrom;
    private final int timeSamples;
    private final int channels;
    private final int fullTime;

    Hdf5Matrix(Hdf5Source source, Dataset dataset, String path, int timeAxis, int timeFrom, int timeSamples)
            throws DasFileException {
        this.source = source;
        this.dataset = dataset;
        this.path = path;
        this.timeAxis = timeAxis;
        int[] dims = source.call("read the shape of " + path, dataset::getDimensions);
        if (dims.length != 2) {
            throw new DasFileException(Reason.INCONSISTENT_AXES, source.file, path + " has " + dims.length
                    + " dimensions, expected 2 (time, channel)");
        }
        source.checkAllocation(dataset, path);
        if (dataset instanceof ContiguousDataset contiguous) {
            // jhdf memory-maps contiguous data: bytes past the end of the file would fault, not throw
            long end = source.call("locate " + path, () -> contiguous.isEmpty() ? 0
                    : contiguous.getDataAddress() + dataset.getSizeInBytes());
            if (end > source.fileSize || end < 0) {
                throw new DasFileException(Reason.TRUNCATED, source.file, path + " lies at bytes up to " + end
                        + ", the file has " + source.fileSize);
            }
        }
        if (timeFrom < 0 || timeSamples < 0 || (long) timeFrom + timeSamples > dims[timeAxis]) {
            throw new DasFileException(Reason.INCONSISTENT_AXES, source.file, path + " has " + dims[timeAxis]
                    + " time samples, expected at least " + ((long) timeFrom + timeSamples));
        }
        this.timeFrom = timeFrom;
        this.timeSamples = timeSamples;
        this.channels = dims[1 - timeAxis];
        this.fullTime = dims[timeAxis];
    }

    int channels() {
        return channels;
    }

    int timeSamples() {
        return timeSamples;
    }

    double[] readChannels(int from, int count) throws DasFileException {
        Blocks.checkRange(from, count, channels);
        double[] out = new double[Math.multiplyExact(count, timeSamples)];
        if (count == 0 || timeSamples == 0) {
            return out;
        }
        long[] offset = new long[2];
        int[] shape = new int[2];
        offset[timeAxis] = timeFrom;
        shape[timeAxis] = timeSamples;
        offset[1 - timeAxis] = from;
        shape[1 - timeAxis] = count;
        double[] fast = readRaw(from, count);
        if (fast != null) {
            return fast;
        }
        // a whole-dataset read skips jhdf's per-slice bookkeeping (about 3x faster on chunked data)
        boolean whole = from == 0 && count == channels && timeFrom == 0 && timeSamples == fullTime;
        Object data = source.call("read " + path, () -> whole ? dataset.getData() : dataset.getData(offset, shape));
        copy(data, out, count, timeSamples, timeAxis == 0);
        return out;
    }

    /**
     * The fast path: decodes the stored bytes of a contiguous dataset (jhdf maps them) or of the chunks covering the
     * block (jhdf decompresses them) straight into doubles, skipping jhdf's boxed multi-dimensional arrays. Null
     * when it does not apply or anything goes wrong; the caller then takes jhdf's slice path, which names the failure.
     */
    private double[] readRaw(int from, int count) {
        try {
            DataType type = dataset.getDataType();
            int size = type.getSize();
            boolean floating = type instanceof FloatingPoint;
            boolean signed = type instanceof FixedPoint fp && fp.isSigned();
            if (!(type instanceof OrderedDataType ordered) || !(floating || type instanceof FixedPoint)
                    || (floating && size != 4 && size != 8) || (!floating && size != 1 && size != 2 && size != 4
                    && size != 8)) {
                return null;
            }
            ByteOrder order = ordered.getByteOrder();
            int[] lo = new int[2];
            int[] hi = new int[2];
            lo[timeAxis] = timeFrom;
            hi[timeAxis] = timeFrom + timeSamples;
            lo[1 - timeAxis] = from;
            hi[1 - timeAxis] = from + count;
            double[] out = new double[Math.multiplyExact(count, timeSamples)];
            if (dataset instanceof ContiguousDataset contiguous && dataset.getFilters().isEmpty()) {
                int[] dims = dataset.getDimensions();
                ByteBuffer b = contiguous.getBuffer().duplicate().order(order);
                if ((long) dims[0] * dims[1] * size > b.capacity()) {
                    return null;
                }
                decode(b, order, size, floating, signed, dims[1], 0, 0, lo, hi, out);
                return out;
            }
            if (dataset instanceof ChunkedDataset chunked) {
                int[] c = chunked.getChunkDimensions();
                if (c.length != 2 || c[0] <= 0 || c[1] <= 0
                        || (long) c[0] * c[1] * size > Math.min(Integer.MAX_VALUE, 64L * source.fileSize)) {
                    return null;
                }
                for (int r0 = lo[0] / c[0] * c[0]; r0 < hi[0]; r0 += c[0]) {
                    for (int c0 = lo[1] / c[1] * c[1]; c0 < hi[1]; c0 += c[1]) {
                        byte[] raw = chunked.getDecompressedChunk(new int[] {r0, c0});
                        if (raw.length < (long) c[0] * c[1] * size) {
                            return null;
                        }
                        decode(ByteBuffer.wrap(raw).order(order), order, size, floating, signed, c[1], r0, c0, lo,
                                hi, out);
                    }
                }
                return out;
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Decodes the part of a row-major tile (origin {@code r0, c0}, {@code width} columns) inside {@code [lo, hi)}
     * into channel-major {@code out}.
     */
    private void decode(ByteBuffer b, ByteOrder order, int size, boolean floating, boolean signed, int width, int r0,
                        int c0, int[] lo, int[] hi, double[] out) {
        int rowEnd = Math.min(hi[0], r0 + b.capacity() / size / width);
        int colEnd = Math.min(hi[1], c0 + width);
        for (int r = Math.max(lo[0], r0); r < rowEnd; r++) {
            for (int col = Math.max(lo[1], c0); col < colEnd; col++) {
                int at = ((r - r0) * width + (col - c0)) * size;
                double v;
                if (floating) {
                    v = size == 4 ? b.getFloat(at) : b.getDouble(at);
                } else {
                    v = switch (size) {
                        case 1 -> signed ? b.get(at) : b.get(at) & 0xFF;
                        case 2 -> signed ? b.getShort(at) : b.getShort(at) & 0xFFFF;
                        case 4 -> signed ? b.getInt(at) : b.getInt(at) & 0xFFFFFFFFL;
                        default -> b.getLong(at);
                    };
                }
                int t = (timeAxis == 0 ? r : col) - timeFrom;
                int ch = (timeAxis == 0 ? col : r) - lo[1 - timeAxis];
                out[ch * timeSamples + t] = v;
            }
        }
    }

    /** Copies a 2-D Java array (rows = axis 0) into channel-major {@code out[c * t + i]}. */
    static void copy(Object rows, double[] out, int channels, int times, boolean rowsAreTime) {
        int n0 = Array.getLength(rows);
        for (int i = 0; i < n0; i++) {
            Object row = Array.get(rows, i);
            if (row instanceof short[] s) {
                for (int j = 0; j < s.length; j++) {
                    out[rowsAreTime ? j * times + i : i * times + j] = s[j];
                }
            } else if (row instanceof int[] s) {
                for (int j = 0; j < s.length; j++) {
                    out[rowsAreTime ? j * times + i : i * times + j] = s[j];
                }
            } else if (row instanceof float[] s) {
                for (int j = 0; j < s.length; j++) {
                    out[rowsAreTime ? j * times + i : i * times + j] = s[j];
                }
            } else if (row instanceof double[] s) {
                for (int j = 0; j < s.length; j++) {
                    out[rowsAreTime ? j * times + i : i * times + j] = s[j];
                }
            } else if (row instanceof long[] s) {
                for (int j = 0; j < s.length; j++) {
                    out[rowsAreTime ? j * times + i : i * times + j] = s[j];
                }
            } else if (row instanceof byte[] s) {
                for (int j = 0; j < s.length; j++) {
                    out[rowsAreTime ? j * times + i : i * times + j] = s[j];
                }
            } else {
                int n1 = Array.getLength(row);
                for (int j = 0; j < n1; j++) {
                    double v = ((Number) Array.get(row, j)).doubleValue();
                    out[rowsAreTime ? j * times + i : i * times + j] = v;
                }
            }
        }
    }
}
