package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AP Sensing DAS HDF5 files, FileVersion 10.
 *
 * <p>Detection (DASCore's): root attributes {@code AppVersion}, {@code FileVersion}, {@code OpticalChannelNumber}
 * or groups {@code DAQ}, {@code Interrogator}, {@code Metadata}, {@code ProcessingServer}, plus the {@code /DAS}
 * dataset. Settings are 1-element datasets. Data {@code /DAS} (time, distance). Metadata: sample rate
 * {@code ProcessingServer/DataRate}; start time {@code Metadata/Timestamp} (ISO-8601), which must be UTC per
 * {@code Metadata/Timezone} (UNSUPPORTED_VERSION otherwise, as DASCore); {@code Metadata/TraceCount} must equal the
 * time samples; start distance {@code DAQ/PositionStart}; spacing (PositionEnd - PositionStart) / channels (DASCore's
 * rule; the file's {@code ProcessingServer/SpatialSampling} differs by 0.1% on the sample file); start channel 0;
 * gauge length {@code ProcessingServer/GaugeLength}; unit = {@code ProcessingServer/DataType} in lower case (e.g.
 * "scaled_differential_phase_32": the file declares the quantity, not a physical scale); scale 1; vendor
 * "AP Sensing".
 */
public final class ApSensingReader implements Hdf5Layout {

    private static final List<String> ROOT_ATTRIBUTES = List.of("AppVersion", "FileVersion", "OpticalChannelNumber");
    private static final List<String> GROUPS = List.of("DAQ", "Interrogator", "Metadata", "ProcessingServer");
    private static final List<String> VERSIONS = List.of("10");

    @Override
    public String format() {
        return "ap_sensing";
    }

    private static boolean isApSensing(Hdf5Source h) throws DasFileException {
        boolean attrs = true;
        for (String a : ROOT_ATTRIBUTES) {
            attrs &= h.hasAttribute(h.hdf, a);
        }
        Map<String, Node> top = h.children(h.hdf);
        boolean groups = top.keySet().containsAll(GROUPS);
        return (attrs || groups) && top.get("DAS") instanceof Dataset;
    }

    @Override
    public boolean accepts(Hdf5Source h) throws DasFileException {
        return isApSensing(h);
    }

    @Override
    public DasRecording open(Hdf5Source h) throws DasFileException {
        try {
            if (!isApSensing(h)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, h.file, "no AP Sensing root attributes "
                        + ROOT_ATTRIBUTES + " or groups " + GROUPS + " with a /DAS dataset");
            }
            String version = h.string(h.attribute(h.hdf, "FileVersion"));
            if (!VERSIONS.contains(version)) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "AP Sensing FileVersion '" + version
                        + "', expected " + VERSIONS);
            }
            Dataset data = h.dataset("/DAS");
            int[] dims = h.call("read the shape of /DAS", data::getDimensions);
            if (dims.length != 2) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "/DAS has " + dims.length
                        + " dimensions, expected 2 (time, distance)");
            }
            double rate = h.requiredNumber(h.smallDataset("/ProcessingServer/DataRate"), "ProcessingServer/DataRate");
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "ProcessingServer/DataRate is " + rate);
            }
            String zone = h.string(h.smallDataset("/Metadata/Timezone"));
            if (zone != null && !zone.equals("UTC") && !zone.equals("UTC+0")) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "Metadata/Timezone '" + zone
                        + "', expected UTC");
            }
            long start = h.isoMicros(h.string(h.smallDataset("/Metadata/Timestamp")), "Metadata/Timestamp");
            double traces = h.number(h.smallDataset("/Metadata/TraceCount"), "Metadata/TraceCount");
            if (!Double.isNaN(traces) && traces != dims[0]) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "Metadata/TraceCount is " + (long) traces
                        + " but /DAS holds " + dims[0] + " time samples");
            }
            double first = h.requiredNumber(h.smallDataset("/DAQ/PositionStart"), "DAQ/PositionStart");
            double last = h.requiredNumber(h.smallDataset("/DAQ/PositionEnd"), "DAQ/PositionEnd");
            double spacing = (last - first) / dims[1];
            if (!(spacing > 0) || Double.isInfinite(spacing)) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "DAQ/PositionStart " + first
                        + " and PositionEnd " + last + " give spacing " + spacing + " over " + dims[1] + " channels");
            }
            String quantity = h.string(h.smallDataset("/ProcessingServer/DataType"));
            DasFileInfo info = new DasFileInfo(format(), version, "AP Sensing", rate, spacing, 0, first, start,
                    h.number(h.smallDataset("/ProcessingServer/GaugeLength"), "ProcessingServer/GaugeLength"),
                    h.dataTypeName(data, "/DAS"), 1.0,
                    quantity == null || quantity.isEmpty() ? "count" : quantity.toLowerCase(Locale.ROOT),
                    dims[0], dims[1]);
            return new Hdf5Recording(info, h, new Hdf5Matrix(h, data, "/DAS", 0, 0, dims[0]));
        } catch (DasFileException | RuntimeException e) {
            h.close();
            if (e instanceof RuntimeException r) {
                throw Hdf5Source.failure(h.file, "cannot read AP Sensing metadata", r);
            }
            throw e;
        }
    }
}
