package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PRODML 2.0 / 2.1 raw DAS data (HDF5; written by Silixa iDAS, OptaSense and others).
 *
 * <p>Detection: an {@code Acquisition} group carrying {@code PulseRate}, {@code PulseWidth}, {@code NumberOfLoci},
 * {@code schemaVersion} and {@code uuid} (DASCore's fingerprint) and a {@code Raw[n]} group holding {@code RawData}
 * and {@code RawDataTime}. A file with only {@code Processed/Fbe} data is a band-energy file
 * ({@link ProdmlBandEnergyReader}). Versions 2.0 and 2.1 are read; others are UNSUPPORTED_VERSION.
 *
 * <p>Metadata, all from the file: axis order from {@code RawData@Dimensions} (default {@code time, locus} when absent,
 * as DASCore); sample rate from {@code Raw[n]@OutputDataRate}, else from {@code RawDataTime@PartStartTime/PartEndTime}
 * and the sample count (DASCore's only source); start time from {@code RawDataTime@PartStartTime} (else
 * {@code RawData@PartStartTime}, else the first {@code RawDataTime} value, int64 microseconds); channel spacing
 * {@code Acquisition@SpatialSamplingInterval} (unit {@code SpatialSamplingIntervalUnit} or
 * {@code SpatialSamplingInterval.uom}; feet are converted); start channel {@code StartLocusIndex} of the raw group
 * (else of {@code Acquisition}); start distance = start channel x spacing (as DASCore); gauge length
 * {@code Acquisition@GaugeLength}; unit {@code Raw[n]@RawDataUnit} (else {@code RawDescription}, else "count"); scale
 * 1 (PRODML declares none); vendor {@code ServiceCompanyName}, else the part of {@code VendorCode} before '_'.
 * Only the first raw group with data is read.
 */
public final class ProdmlReader implements Hdf5Layout {

    static final List<String> FINGERPRINT = List.of("PulseRate", "PulseWidth", "NumberOfLoci", "schemaVersion",
            "uuid");
    private static final List<String> VERSIONS = List.of("2.0", "2.1");

    @Override
    public String format() {
        return "prodml";
    }

    static boolean isProdml(Hdf5Source h) throws DasFileException {
        Group acq = h.group("/Acquisition");
        if (acq == null) {
            return false;
        }
        for (String a : FINGERPRINT) {
            if (!h.hasAttribute(acq, a)) {
                return false;
            }
        }
        return true;
    }

    /** Path of the first {@code Raw*} group holding RawData and RawDataTime, or null. */
    static String rawGroup(Hdf5Source h) throws DasFileException {
        Group acq = h.group("/Acquisition");
        if (acq == null) {
            return null;
        }
        for (Map.Entry<String, Node> e : h.children(acq).entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).startsWith("raw") && e.getValue() instanceof Group g) {
                Map<String, Node> kids = h.children(g);
                if (kids.get("RawData") instanceof Dataset && kids.get("RawDataTime") instanceof Dataset) {
                    return "/Acquisition/" + e.getKey();
                }
            }
        }
        return null;
    }

    static String version(Hdf5Source h, Group acq) throws DasFileException {
        String v = h.string(h.attribute(acq, "schemaVersion"));
        try {
            // some writers store the version as a float (2.0 -> "2.0"); keep one decimal like the text form
            double d = Double.parseDouble(v);
            return String.format(Locale.ROOT, "%.1f", d);
        } catch (NumberFormatException | NullPointerException e) {
            return v;
        }
    }

    @Override
    public boolean accepts(Hdf5Source h) throws DasFileException {
        return isProdml(h) && rawGroup(h) != null;
    }

    @Override
    public DasRecording open(Hdf5Source h) throws DasFileException {
        try {
            if (!isProdml(h)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, h.file, "no PRODML Acquisition group with "
                        + FINGERPRINT);
            }
            Group acq = h.group("/Acquisition");
            String version = version(h, acq);
            if (!VERSIONS.contains(version)) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "PRODML schemaVersion '" + version
                        + "', expected one of " + VERSIONS);
            }
            String raw = rawGroup(h);
            if (raw == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no Acquisition/Raw[n] group with "
                        + "RawData and RawDataTime" + (h.group("/Acquisition/Processed") != null
                        ? " (it holds processed data only: a band-energy file, see DasReaders.openBandEnergy)" : ""));
            }
            Group rawNode = h.group(raw);
            Dataset data = h.dataset(raw + "/RawData");
            Dataset time = h.dataset(raw + "/RawDataTime");
            String dataPath = raw + "/RawData";
            int timeAxis = timeAxis(h, data, dataPath);
            int[] dims = h.call("read the shape of " + dataPath, data::getDimensions);
            int[] timeDims = h.call("read the shape of " + raw + "/RawDataTime", time::getDimensions);
            if (dims.length != 2) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, dataPath + " has " + dims.length
                        + " dimensions, expected 2");
            }
            int nt = dims[timeAxis];
            int nx = dims[1 - timeAxis];
            if (timeDims.length != 1 || timeDims[0] != nt) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, raw + "/RawDataTime has shape "
                        + java.util.Arrays.toString(timeDims) + ", expected [" + nt + "] (the time axis of RawData)");
            }
            double loci = h.number(h.attribute(rawNode, "NumberOfLoci"), "NumberOfLoci");
            if (Double.isNaN(loci)) {
                loci = h.number(h.attribute(acq, "NumberOfLoci"), "NumberOfLoci");
            }
            if (!Double.isNaN(loci) && loci != nx) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, "NumberOfLoci is " + (long) loci
                        + " but " + dataPath + " holds " + nx + " loci");
            }
            long start = startMicros(h, time, data, raw, nt);
            double rate = h.number(h.attribute(rawNode, "OutputDataRate"), "OutputDataRate");
            if (Double.isNaN(rate)) {
                rate = rateFromPart(h, time, raw, nt);
            }
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "sample rate " + rate + " Hz, expected > 0");
            }
            double spacing = spacingMetres(h, acq);
            double startLocus = h.number(h.attribute(rawNode, "StartLocusIndex"), "StartLocusIndex");
            if (Double.isNaN(startLocus)) {
                startLocus = h.number(h.attribute(acq, "StartLocusIndex"), "StartLocusIndex");
            }
            int startChannel = Double.isNaN(startLocus) ? 0 : checkedInt(h, startLocus, "StartLocusIndex");
            double gauge = h.number(h.attribute(acq, "GaugeLength"), "GaugeLength");
            String unit = h.string(h.attribute(rawNode, "RawDataUnit"));
            if (unit == null || unit.isEmpty()) {
                unit = h.string(h.attribute(rawNode, "RawDescription"));
            }
            DasFileInfo info = new DasFileInfo(format(), version, vendor(h, acq), rate, spacing, startChannel,
                    startChannel * spacing, start, gauge, h.dataTypeName(data, dataPath), 1.0,
                    unit == null || unit.isEmpty() ? "count" : unit, nt, nx);
            return new Hdf5Recording(info, h, new Hdf5Matrix(h, data, dataPath, timeAxis, 0, nt));
        } catch (DasFileException | RuntimeException e) {
            h.close();
            if (e instanceof RuntimeException r) {
                throw Hdf5Source.failure(h.file, "cannot read PRODML metadata", r);
            }
            throw e;
        }
    }

    static int checkedInt(Hdf5Source h, double v, String what) throws DasFileException {
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new DasFileException(Reason.CORRUPT, h.file, what + " is " + v + ", expected an integer");
        }
        return (int) v;
    }

    /** 0 when time is the first axis of {@code Dimensions}, 1 when it is the second (DASCore's default order). */
    static int timeAxis(Hdf5Source h, Node data, String path) throws DasFileException {
        Object dims = h.call("read " + path + "@Dimensions", () -> {
            io.jhdf.api.Attribute a = data.getAttributes().get("Dimensions");
            return a == null ? null : a.getData();
        });
        if (dims == null) {
            return 0;
        }
        String text = h.string(dims).replace(",", " ").toLowerCase(Locale.ROOT).trim();
        String[] names = text.split("\\s+");
        if (names.length != 2) {
            throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, path + "@Dimensions is '" + text
                    + "', expected two names such as 'time locus'");
        }
        if (names[0].equals("time") && isDistance(names[1])) {
            return 0;
        }
        if (names[1].equals("time") && isDistance(names[0])) {
            return 1;
        }
        throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, path + "@Dimensions is '" + text
                + "', expected time and locus");
    }

    private static boolean isDistance(String name) {
        return name.equals("locus") || name.equals("distance");
    }

    static long startMicros(Hdf5Source h, Dataset time, Dataset data, String raw, int nt) throws DasFileException {
        String part = h.string(h.attribute(time, "PartStartTime"));
        if (part == null || part.isEmpty()) {
            part = h.string(h.attribute(data, "PartStartTime"));
        }
        if (part != null && !part.isEmpty()) {
            return h.isoMicros(part, raw + "/RawDataTime@PartStartTime");
        }
        if (nt == 0) {
            throw new DasFileException(Reason.MISSING_DATASET, h.file, "no PartStartTime and no RawDataTime values");
        }
        Object first = h.call("read " + raw + "/RawDataTime", () -> time.getData(new long[] {0}, new int[] {1}));
        return (long) h.numbers(first, raw + "/RawDataTime")[0];
    }

    static double rateFromPart(Hdf5Source h, Dataset time, String raw, int nt) throws DasFileException {
        String start = h.string(h.attribute(time, "PartStartTime"));
        String end = h.string(h.attribute(time, "PartEndTime"));
        if (start == null || end == null || nt < 2) {
            throw new DasFileException(Reason.MISSING_DATASET, h.file, "no OutputDataRate and no "
                    + raw + "/RawDataTime@PartStartTime/PartEndTime to derive the sample rate from");
        }
        long span = h.isoMicros(end, "PartEndTime") - h.isoMicros(start, "PartStartTime");
        return (nt - 1) / (span / 1e6);
    }

    static double spacingMetres(Hdf5Source h, Group acq) throws DasFileException {
        double spacing = h.requiredNumber(h.attribute(acq, "SpatialSamplingInterval"),
                "Acquisition@SpatialSamplingInterval");
        String unit = h.string(h.attribute(acq, "SpatialSamplingIntervalUnit"));
        if (unit == null) {
            unit = h.string(h.attribute(acq, "SpatialSamplingInterval.uom"));
        }
        if (unit != null && (unit.equalsIgnoreCase("ft") || unit.equalsIgnoreCase("feet"))) {
            spacing *= 0.3048;
        } else if (unit != null && !unit.isEmpty() && !unit.equalsIgnoreCase("m")) {
            throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "SpatialSamplingInterval unit '" + unit
                    + "', expected m or ft");
        }
        if (!(spacing > 0) || Double.isInfinite(spacing)) {
            throw new DasFileException(Reason.CORRUPT, h.file, "SpatialSamplingInterval " + spacing
                    + ", expected > 0");
        }
        return spacing;
    }

    static String vendor(Hdf5Source h, Group acq) throws DasFileException {
        String company = h.string(h.attribute(acq, "ServiceCompanyName"));
        if (company != null && !company.isEmpty()) {
            return company;
        }
        String code = h.string(h.attribute(acq, "VendorCode"));
        if (code != null && !code.isEmpty()) {
            int cut = code.indexOf('_');
            return cut > 0 ? code.substring(0, cut) : code;
        }
        return "unknown";
    }
}
