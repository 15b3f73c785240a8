package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Febus A1 HDF5 files (schema version 2, from the {@code Version} attribute "2.x.y"; version 1 files without that
 * attribute are read the same way, as DASCore's Febus1 does).
 *
 * <p>Layout: {@code /<device>/Source<n>/Zone<m>/<one dataset>} shaped (block, time, distance), plus the per-block
 * posix {@code /<device>/Source<n>/time}. Blocks overlap in time; the overlap is trimmed exactly as DASCore's
 * {@code _get_zone_time}: block rows = 1 + Extent[3] - Extent[2] (or the dataset's rows without Version), dt =
 * Spacing[1] / 1000 s; rows kept per block = round(block time / dt) when Extent[2] != 0, else
 * round(rows / (1 + BlockOverlap / 100)); the surplus is removed half before, half (plus the odd row) after.
 * Block time = 1 / (BlockRate / 1000), else the mean step of the block times. Blocks are joined in order.
 *
 * <p>Metadata: start time = time[0] + Origin[1] / 1000 + first kept row x dt; spacing Spacing[0]; start channel
 * Extent[0]; start distance Extent[0] x Spacing[0] + Origin[0]; gauge length {@code GaugeLength} of the zone; unit
 * from the dataset name's bracket ("StrainRate [nStrain|s]" gives "nStrain/s"; DASCore always says nanostrain/s);
 * scale 1; vendor "Febus". Files with more than one zone are UNSUPPORTED_VERSION (one grid per file).
 */
public final class FebusReader implements Hdf5Layout {

    private static final List<String> SOURCE_ATTRIBUTES = List.of("AmpliPower", "Hostname", "WholeExtent",
            "SamplingRate");

    @Override
    public String format() {
        return "febus";
    }

    /** Paths of the Source groups, empty when the file is not Febus (DASCore's fingerprint). */
    private static List<String> sources(Hdf5Source h) throws DasFileException {
        List<String> out = new ArrayList<>();
        Map<String, Node> devices = h.children(h.hdf);
        if (devices.isEmpty()) {
            return out;
        }
        for (Map.Entry<String, Node> d : devices.entrySet()) {
            if (!(d.getValue() instanceof Group device)) {
                return List.of();
            }
            for (Map.Entry<String, Node> s : h.children(device).entrySet()) {
                if (!s.getKey().startsWith("Source") || !(s.getValue() instanceof Group source)) {
                    return List.of();
                }
                for (String a : SOURCE_ATTRIBUTES) {
                    if (!h.hasAttribute(source, a)) {
                        return List.of();
                    }
                }
                out.add("/" + d.getKey() + "/" + s.getKey());
            }
        }
        return out;
    }

    @Override
    public boolean accepts(Hdf5Source h) throws DasFileException {
        return !sources(h).isEmpty();
    }

    @Override
    public DasRecording open(Hdf5Source h) throws DasFileException {
        try {
            List<String> sources = sources(h);
            if (sources.isEmpty()) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, h.file, "no Febus <device>/Source<n> groups with "
                        + SOURCE_ATTRIBUTES);
            }
            List<String> zones = new ArrayList<>();
            for (String s : sources) {
                for (Map.Entry<String, Node> z : h.children(h.group(s)).entrySet()) {
                    if (!z.getKey().equals("time") && z.getValue() instanceof Group) {
                        zones.add(s + "/" + z.getKey());
                    }
                }
            }
            if (zones.size() != 1) {
                throw new DasFileException(zones.isEmpty() ? Reason.MISSING_DATASET : Reason.UNSUPPORTED_VERSION,
                        h.file, "holds " + zones.size() + " Febus zones " + zones + ", expected exactly one");
            }
            String zonePath = zones.get(0);
            String sourcePath = zonePath.substring(0, zonePath.lastIndexOf('/'));
            Group zone = h.group(zonePath);
            Map<String, Node> kids = h.children(zone);
            if (kids.size() != 1 || !(kids.values().iterator().next() instanceof Dataset data)) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, zonePath + " holds " + kids.keySet()
                        + ", expected one data set");
            }
            String dataName = kids.keySet().iterator().next();
            String dataPath = zonePath + "/" + dataName;
            String version = h.string(h.attribute(zone, "Version"));
            if (version == null) {
                version = h.string(h.attribute(h.group(sourcePath), "Version"));
            }
            String major = version == null ? "1" : version.split("\\.")[0];
            if (!major.equals("1") && !major.equals("2")) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "Febus Version '" + version
                        + "', expected 1.x or 2.x");
            }
            int[] dims = h.call("read the shape of " + dataPath, data::getDimensions);
            if (dims.length != 3) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, dataPath + " has " + dims.length
                        + " dimensions, expected 3 (block, time, distance)");
            }
            h.checkAllocation(data, dataPath);
            double[] extent = h.numbers(h.attribute(zone, "Extent"), zonePath + "@Extent");
            double[] spacing = h.numbers(h.attribute(zone, "Spacing"), zonePath + "@Spacing");
            double[] origin = h.numbers(h.attribute(zone, "Origin"), zonePath + "@Origin");
            if (extent.length < 4 || spacing.length < 2 || origin.length < 2) {
                throw new DasFileException(Reason.CORRUPT, h.file, zonePath + " Extent/Spacing/Origin have too few "
                        + "values");
            }
            double dt;
            long blockRows;
            boolean hasVersion = version != null;
            if (hasVersion) {
                blockRows = 1 + (long) extent[3] - (long) extent[2];
                dt = spacing[1] / 1000;
            } else {
                double fs = h.requiredNumber(h.attribute(zone, "SamplingRate"), "SamplingRate");
                dt = fs < 1e8 ? 1 / fs : spacing[1] / 1000;
                blockRows = dims[1];
            }
            if (blockRows != dims[1]) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, zonePath + "@Extent declares "
                        + blockRows + " rows per block, " + dataPath + " holds " + dims[1]);
            }
            if (!(dt > 0) || Double.isInfinite(dt)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "sample interval " + dt + " s from Spacing");
            }
            Dataset time = h.dataset(sourcePath + "/time");
            if (time == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no " + sourcePath + "/time");
            }
            double[] blockTimes = Terra15Reader.readWhole(h, time, sourcePath + "/time");
            if (blockTimes.length != dims[0]) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, sourcePath + "/time holds "
                        + blockTimes.length + " block times, " + dataPath + " " + dims[0] + " blocks");
            }
            double blockRate = h.number(h.attribute(zone, "BlockRate"), "BlockRate") / 1000;
            double blockTime;
            if (blockRate > 0) {
                blockTime = 1 / blockRate;
            } else if (blockTimes.length > 1) {
                blockTime = (blockTimes[blockTimes.length - 1] - blockTimes[0]) / (blockTimes.length - 1);
            } else {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no BlockRate and a single block time");
            }
            double overlapPercent = h.number(h.attribute(zone, "BlockOverlap"), "BlockOverlap");
            if (Double.isNaN(overlapPercent)) {
                overlapPercent = h.number(h.attribute(zone, "Overlap"), "Overlap");
            }
            if (Double.isNaN(overlapPercent)) {
                overlapPercent = 100;
            }
            long keep = extent[2] != 0 ? Math.round(blockTime / dt) : Math.round(blockRows / (1 + overlapPercent / 100));
            long remove = blockRows - keep;
            if (keep < 1 || remove < 0) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "keeping " + keep + " of " + blockRows
                        + " rows per block (block time " + blockTime + " s, dt " + dt + " s)");
            }
            int firstRow = (int) (remove / 2);
            int rows = (int) keep;
            long total = (long) rows * dims[0];
            if (total > Integer.MAX_VALUE) {
                throw new DasFileException(Reason.CORRUPT, h.file, total + " time samples");
            }
            double originTime = origin[1] / 1000;
            long start = TimeUnits.secondsToMicros(blockTimes.length == 0 ? Double.NaN
                    : blockTimes[0] + originTime + firstRow * dt);
            if (blockTimes.length == 0 || !TimeUnits.plausible(start)) {
                throw new DasFileException(Reason.CORRUPT, h.file, sourcePath + "/time gives no plausible start");
            }
            int bracket = dataName.indexOf('[');
            String unit = bracket >= 0 && dataName.endsWith("]")
                    ? dataName.substring(bracket + 1, dataName.length() - 1).replace('|', '/').trim() : "count";
            double spacingM = spacing[0];
            if (!(spacingM > 0) || Double.isInfinite(spacingM)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "distance spacing " + spacingM);
            }
            DasFileInfo info = new DasFileInfo(format(), major, "Febus", 1 / dt, spacingM, (int) extent[0],
                    extent[0] * spacingM + origin[0], start, h.number(h.attribute(zone, "GaugeLength"),
                    "GaugeLength"), h.dataTypeName(data, dataPath), 1.0, unit, (int) total, dims[2]);
            return new FebusRecording(info, h, data, dataPath, dims[0], firstRow, rows);
        } catch (DasFileException | RuntimeException e) {
            h.close();
            if (e instanceof RuntimeException r) {
                throw Hdf5Source.failure(h.file, "cannot read Febus metadata", r);
            }
            throw e;
        }
    }

    private record FebusRecording(DasFileInfo info, Hdf5Source source, Dataset data, String path, int blocks,
                                  int firstRow, int rows) implements DasRecording {
        @Override
        public double[] readChannels(int from, int count) throws DasFileException {
            Blocks.checkRange(from, count, info.channels());
            int nt = info.timeSamples();
            double[] out = new double[Math.multiplyExact(count, nt)];
            if (count == 0 || nt == 0) {
                return out;
            }
            Object cube = source.call("read " + path, () -> data.getData(new long[] {0, firstRow, from},
                    new int[] {blocks, rows, count}));
            for (int b = 0; b < blocks; b++) {
                Object block = Array.get(cube, b);
                double[] part = new double[count * rows];
                Hdf5Matrix.copy(block, part, count, rows, true);
                for (int c = 0; c < count; c++) {
                    System.arraycopy(part, c * rows, out, c * nt + b * rows, rows);
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
