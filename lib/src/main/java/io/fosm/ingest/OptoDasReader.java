package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ASN OptoDAS HDF5 files, fileVersion 8.
 *
 * <p>Detection (DASCore's): top-level {@code acqSpec}, {@code header}, {@code cableSpec}, {@code data} and
 * {@code fileVersion}. Metadata, from {@code header/}: axis order {@code dimensionNames} (time/distance in either
 * order); sample interval {@code dimensionRanges/dimension<time>/unitScale} (else {@code dt}); start time
 * {@code time} (epoch seconds) + {@code min} x interval of the time dimension; channels {@code channels} (fiber
 * channel numbers: start channel = the first; their step must be constant); spacing = channel step x
 * {@code unitScale} of the distance dimension (else {@code dx}); start distance = first channel x that unit scale (as
 * DASCore); gauge length {@code gaugeLength}; unit {@code unit}; scale {@code dataScale} (1 when absent; DASCore
 * multiplies by it); vendor "ASN".
 */
public final class OptoDasReader implements Hdf5Layout {

    private static final List<String> ENTRIES = List.of("acqSpec", "header", "cableSpec", "data", "fileVersion");
    private static final List<String> VERSIONS = List.of("8");

    @Override
    public String format() {
        return "optodas";
    }

    @Override
    public boolean accepts(Hdf5Source h) throws DasFileException {
        return h.children(h.hdf).keySet().containsAll(ENTRIES);
    }

    @Override
    public DasRecording open(Hdf5Source h) throws DasFileException {
        try {
            Map<String, Node> top = h.children(h.hdf);
            if (!top.keySet().containsAll(ENTRIES)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, h.file, "no OptoDAS entries " + ENTRIES);
            }
            String version = h.string(h.smallDataset("/fileVersion"));
            if (!VERSIONS.contains(version)) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "OptoDAS fileVersion '" + version
                        + "', expected " + VERSIONS);
            }
            Dataset data = h.dataset("/data");
            if (data == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "/data is not a dataset");
            }
            int[] dims = h.call("read the shape of /data", data::getDimensions);
            if (dims.length != 2) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "/data has " + dims.length
                        + " dimensions, expected 2");
            }
            String names = h.string(h.smallDataset("/header/dimensionNames"));
            String[] dimNames = names == null ? new String[0] : names.toLowerCase(Locale.ROOT).trim().split("\\s+");
            int timeAxis;
            if (dimNames.length == 2 && dimNames[0].equals("time") && dimNames[1].equals("distance")) {
                timeAxis = 0;
            } else if (dimNames.length == 2 && dimNames[0].equals("distance") && dimNames[1].equals("time")) {
                timeAxis = 1;
            } else {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "header/dimensionNames is '" + names
                        + "', expected time and distance");
            }
            String timeRange = "/header/dimensionRanges/dimension" + timeAxis;
            String distRange = "/header/dimensionRanges/dimension" + (1 - timeAxis);
            double dt = h.number(h.smallDataset(timeRange + "/unitScale"), "time unitScale");
            if (Double.isNaN(dt)) {
                dt = h.requiredNumber(h.smallDataset("/header/dt"), "header/dt");
            }
            if (!(dt > 0) || Double.isInfinite(dt)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "sample interval " + dt + " s, expected > 0");
            }
            double min = h.number(h.smallDataset(timeRange + "/min"), "time min");
            double t0 = h.requiredNumber(h.smallDataset("/header/time"), "header/time");
            long start = TimeUnits.secondsToMicros(t0 + (Double.isNaN(min) ? 0 : min) * dt);
            if (!TimeUnits.plausible(start)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "header/time " + t0 + " s is no plausible time");
            }
            double dx = h.number(h.smallDataset(distRange + "/unitScale"), "distance unitScale");
            if (Double.isNaN(dx)) {
                dx = h.requiredNumber(h.smallDataset("/header/dx"), "header/dx");
            }
            int nx = dims[1 - timeAxis];
            Dataset channelSet = h.dataset("/header/channels");
            if (channelSet == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no header/channels");
            }
            h.checkAllocation(channelSet, "/header/channels");
            double[] channels = h.numbers(h.call("read header/channels", channelSet::getDataFlat), "header/channels");
            if (channels.length != nx) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "header/channels lists "
                        + channels.length + " channels but /data holds " + nx);
            }
            double step = nx > 1 ? channels[1] - channels[0] : 1;
            for (int i = 1; i < nx; i++) {
                if (channels[i] - channels[i - 1] != step) {
                    throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "header/channels steps by "
                            + (channels[i] - channels[i - 1]) + " at index " + i + ", expected a constant " + step);
                }
            }
            if (nx > 0 && (step <= 0 || channels[0] != Math.rint(channels[0]) || Math.abs(channels[0]) > 1e9)) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "header/channels start at "
                        + channels[0] + " with step " + step + ", expected increasing channel numbers");
            }
            double scale = h.number(h.smallDataset("/header/dataScale"), "header/dataScale");
            String unit = h.string(h.smallDataset("/header/unit"));
            int first = nx == 0 ? 0 : (int) channels[0];
            DasFileInfo info = new DasFileInfo(format(), version, "ASN", 1 / dt, step * dx, first, first * dx, start,
                    h.number(h.smallDataset("/header/gaugeLength"), "header/gaugeLength"),
                    h.dataTypeName(data, "/data"), Double.isNaN(scale) ? 1.0 : scale,
                    unit == null || unit.isEmpty() ? "count" : unit, dims[timeAxis], nx);
            return new Hdf5Recording(info, h, new Hdf5Matrix(h, data, "/data", timeAxis, 0, dims[timeAxis]));
        } catch (DasFileException | RuntimeException e) {
            h.close();
            if (e instanceof RuntimeException r) {
                throw Hdf5Source.failure(h.file, "cannot read OptoDAS metadata", r);
            }
            throw e;
        }
    }
}
