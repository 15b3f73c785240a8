package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfChecksumMismatchException;

import java.lang.reflect.Array;
import java.util.List;

/**
 * Terra15 Treble HDF5 files, versions 4, 5 and 6 (the layouts DASCore reads).
 *
 * <p>Detection: root attributes {@code acoustic_bandwidth_end}, {@code amplifier_incoming_current},
 * {@code file_start_computer_time} and {@code file_version} (DASCore's fingerprint). Data: {@code data_product/data}
 * (v5, v6) or {@code <data_product>/data} (v4), stored (time, distance). Metadata: start time = first value of
 * {@code gps_time} (else {@code posix_time}), float64 epoch seconds, rounded to the microsecond; rows whose time is 0
 * or less at the end were allocated but never written and are left out (as DASCore); sample rate = 1 / {@code dT}
 * of the data (DASCore derives it from the first and last time instead, which differs by about 0.06% on the sample
 * file; when {@code dT} is absent that span is used); spacing {@code dx}; start distance
 * {@code sensing_range_start}; start channel 0 (no channel index declared); gauge length {@code gauge_length}; unit
 * {@code data_product_units}; scale 1; vendor "Terra15".
 *
 * <p>jhdf 0.11.0 cannot read these datasets (their paged fixed-array chunk index has unwritten pages that jhdf
 * checksums); when jhdf reports a checksum mismatch the reader falls back to {@link FixedArrayChunks}, which reads that
 * index per the HDF5 specification.
 */
public final class Terra15Reader implements Hdf5Layout {

    static final List<String> FINGERPRINT = List.of("acoustic_bandwidth_end", "amplifier_incoming_current",
            "file_start_computer_time", "file_version");

    @Override
    public String format() {
        return "terra15";
    }

    private static boolean isTerra15(Hdf5Source h) throws DasFileException {
        Node root = h.hdf;
        for (String a : FINGERPRINT) {
            if (!h.hasAttribute(root, a)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean accepts(Hdf5Source h) throws DasFileException {
        return isTerra15(h);
    }

    @Override
    public DasRecording open(Hdf5Source h) throws DasFileException {
        try {
            if (!isTerra15(h)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, h.file, "no Terra15 root attributes " + FINGERPRINT);
            }
            Node root = h.hdf;
            String version = h.string(h.attribute(root, "file_version"));
            String group;
            if (version.equals("4")) {
                group = "/" + h.string(h.attribute(root, "data_product"));
            } else if (version.equals("5") || version.equals("6")) {
                group = "/data_product";
            } else {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "Terra15 file_version '" + version
                        + "', expected 4, 5 or 6");
            }
            Dataset data = h.dataset(group + "/data");
            if (data == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no dataset " + group + "/data");
            }
            String dataPath = group + "/data";
            String timePath = group + "/gps_time";
            Dataset time = h.dataset(timePath);
            if (time == null) {
                timePath = group + "/posix_time";
                time = h.dataset(timePath);
            }
            if (time == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no " + group + "/gps_time or "
                        + "posix_time");
            }
            int[] dims = h.call("read the shape of " + dataPath, data::getDimensions);
            if (dims.length != 2) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, dataPath + " has " + dims.length
                        + " dimensions, expected 2 (time, distance)");
            }
            double[] times = readWhole(h, time, timePath);
            if (times.length != dims[0]) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, timePath + " holds " + times.length
                        + " times, " + dataPath + " " + dims[0] + " rows");
            }
            int written = 0;
            while (written < times.length && times[written] > 0) {
                written++;
            }
            if (written == 0) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, timePath + " holds no written time");
            }
            double dt = h.number(h.attribute(data, "dT"), "dT");
            double rate = dt > 0 ? 1 / dt : (written - 1) / (times[written - 1] - times[0]);
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "sample rate " + rate + " Hz from dT " + dt);
            }
            double dx = h.number(h.attribute(root, "dx"), "dx");
            if (Double.isNaN(dx)) {
                dx = h.requiredNumber(h.attribute(data, "dx"), "dx");
            }
            double nx = h.number(h.attribute(root, "nx"), "nx");
            if (!Double.isNaN(nx) && nx != dims[1]) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "nx is " + (long) nx + " but "
                        + dataPath + " holds " + dims[1] + " channels");
            }
            long start = TimeUnits.secondsToMicros(times[0]);
            if (!TimeUnits.plausible(start)) {
                throw new DasFileException(Reason.CORRUPT, h.file, timePath + "[0] is " + times[0]
                        + " s, not a plausible epoch time");
            }
            String unit = h.string(h.attribute(root, "data_product_units"));
            DasFileInfo info = new DasFileInfo(format(), version, "Terra15", rate, dx, 0,
                    h.number(h.attribute(root, "sensing_range_start"), "sensing_range_start"), start,
                    h.number(h.attribute(root, "gauge_length"), "gauge_length"), h.dataTypeName(data, dataPath), 1.0,
                    unit == null || unit.isEmpty() ? "count" : unit, written, dims[1]);
            return new Terra15Recording(info, h, new Hdf5Matrix(h, data, dataPath, 0, 0, written), data, dataPath,
                    dims[1]);
        } catch (DasFileException | RuntimeException e) {
            h.close();
            if (e instanceof RuntimeException r) {
                throw Hdf5Source.failure(h.file, "cannot read Terra15 metadata", r);
            }
            throw e;
        }
    }

    /** A whole small dataset as doubles, through jhdf or, when jhdf rejects its chunk index, the fallback. */
    static double[] readWhole(Hdf5Source h, Dataset d, String path) throws DasFileException {
        h.checkAllocation(d, path);
        try {
            Object flat = h.call("read " + path, d::getDataFlat);
            double[] out = new double[Array.getLength(flat)];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) Array.get(flat, i)).doubleValue();
            }
            return out;
        } catch (DasFileException e) {
            if (!causedByChecksum(e)) {
                throw e;
            }
            return FixedArrayChunks.readAll(h, d, path);
        }
    }

    static boolean causedByChecksum(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HdfChecksumMismatchException) {
                return true;
            }
        }
        return false;
    }

    private static final class Terra15Recording implements DasRecording {
        private final DasFileInfo info;
        private final Hdf5Source source;
        private final Hdf5Matrix matrix;
        private final Dataset data;
        private final String path;
        private final int width;
        private double[] whole; // (time, distance) row-major, only when jhdf cannot read the chunks

        Terra15Recording(DasFileInfo info, Hdf5Source source, Hdf5Matrix matrix, Dataset data, String path,
                         int width) {
            this.info = info;
            this.source = source;
            this.matrix = matrix;
            this.data = data;
            this.path = path;
            this.width = width;
        }

        @Override
        public DasFileInfo info() {
            return info;
        }

        @Override
        public double[] readChannels(int from, int count) throws DasFileException {
            Blocks.checkRange(from, count, info.channels());
            if (whole == null) {
                try {
                    return matrix.readChannels(from, count);
                } catch (DasFileException e) {
                    if (!causedByChecksum(e)) {
                        throw e;
                    }
                    whole = FixedArrayChunks.readAll(source, data, path);
                }
            }
            int nt = info.timeSamples();
            double[] out = new double[Math.multiplyExact(count, nt)];
            for (int c = 0; c < count; c++) {
                for (int t = 0; t < nt; t++) {
                    out[c * nt + t] = whole[t * width + from + c];
                }
            }
            return out;
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
