package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;

import java.lang.reflect.Array;

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
        // a whole-dataset read skips jhdf's per-slice bookkeeping (about 3x faster on chunked data)
        boolean whole = from == 0 && count == channels && timeFrom == 0 && timeSamples == fullTime;
        Object data = source.call("read " + path, () -> whole ? dataset.getData() : dataset.getData(offset, shape));
        copy(data, out, count, timeSamples, timeAxis == 0);
        return out;
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
