package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * PRODML 2.0 / 2.1 frequency-band-energy files: vendor-computed band powers in
 * {@code Acquisition/Processed/Fbe[n]/FbeData[i]} (time x locus each, one per band) with times in
 * {@code FbeDataTime}. Not raw samples, so {@link DasReaders#open} refuses them and
 * {@link DasReaders#openBandEnergy} opens them.
 *
 * <p>Metadata: bands from {@code FbeData[i]@StartFrequency/EndFrequency} (as DASCore); axis order from
 * {@code FbeData[i]@Dimensions} (default time, locus); rate {@code Fbe[n]@OutputDataRate} (else from the part
 * times); start time {@code FbeDataTime@PartStartTime}; loci {@code Fbe[n]@NumberOfLoci} from
 * {@code Fbe[n]@StartLocusIndex} (start channel; start distance = it x spacing, as DASCore); spacing and gauge length
 * from {@code Acquisition} as for raw PRODML; unit {@code FbeDataUnit}; data type of the first band; scale 1. Only the
 * first {@code Fbe[n]} group is read.
 */
public final class ProdmlBandEnergyReader {

    public String format() {
        return "prodml_fbe";
    }

    /** True when the file is PRODML with a Processed/Fbe group. Never throws. */
    public boolean accepts(Path file) {
        try (Hdf5Source h = Hdf5Source.probe(file)) {
            return h != null && ProdmlReader.isProdml(h) && fbeGroup(h) != null;
        } catch (DasFileException | RuntimeException e) {
            return false;
        }
    }

    private static String fbeGroup(Hdf5Source h) throws DasFileException {
        Group processed = h.group("/Acquisition/Processed");
        if (processed == null) {
            return null;
        }
        for (Map.Entry<String, Node> e : h.children(processed).entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).startsWith("fbe") && e.getValue() instanceof Group) {
                return "/Acquisition/Processed/" + e.getKey();
            }
        }
        return null;
    }

    public BandEnergyRecording open(Path file) throws DasFileException {
        Hdf5Source h = Hdf5Source.open(file);
        try {
            if (!ProdmlReader.isProdml(h)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, h.file, "not a PRODML file");
            }
            String fbe = fbeGroup(h);
            if (fbe == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, "no Acquisition/Processed/Fbe[n] group");
            }
            Group acq = h.group("/Acquisition");
            String version = ProdmlReader.version(h, acq);
            if (!version.equals("2.0") && !version.equals("2.1")) {
                throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, "PRODML schemaVersion '" + version
                        + "', expected 2.0 or 2.1");
            }
            Group group = h.group(fbe);
            TreeMap<Integer, Dataset> bands = new TreeMap<>();
            Dataset time = null;
            for (Map.Entry<String, Node> e : h.children(group).entrySet()) {
                String key = e.getKey();
                if (key.equals("FbeDataTime") && e.getValue() instanceof Dataset d) {
                    time = d;
                } else if (key.startsWith("FbeData[") && key.endsWith("]") && e.getValue() instanceof Dataset d) {
                    try {
                        bands.put(Integer.parseInt(key.substring(8, key.length() - 1)), d);
                    } catch (NumberFormatException ex) {
                        throw new DasFileException(Reason.CORRUPT, h.file, fbe + "/" + key + " has no band number");
                    }
                }
            }
            if (bands.isEmpty() || time == null) {
                throw new DasFileException(Reason.MISSING_DATASET, h.file, fbe + " needs FbeData[i] and FbeDataTime");
            }
            Dataset first = bands.firstEntry().getValue();
            String firstPath = fbe + "/FbeData[" + bands.firstKey() + "]";
            int timeAxis = ProdmlReader.timeAxis(h, first, firstPath);
            int[] dims = h.call("read the shape of " + firstPath, first::getDimensions);
            if (dims.length != 2) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, firstPath + " has " + dims.length
                        + " dimensions, expected 2");
            }
            int nt = dims[timeAxis];
            int nx = dims[1 - timeAxis];
            List<FrequencyBand> bandList = new ArrayList<>();
            List<Hdf5Matrix> matrices = new ArrayList<>();
            for (Map.Entry<Integer, Dataset> e : bands.entrySet()) {
                String path = fbe + "/FbeData[" + e.getKey() + "]";
                int[] d = h.call("read the shape of " + path, e.getValue()::getDimensions);
                if (!java.util.Arrays.equals(d, dims) || ProdmlReader.timeAxis(h, e.getValue(), path) != timeAxis) {
                    throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, path + " has shape "
                            + java.util.Arrays.toString(d) + ", " + firstPath + " " + java.util.Arrays.toString(dims));
                }
                double lo = h.requiredNumber(h.attribute(e.getValue(), "StartFrequency"), path + "@StartFrequency");
                double hi = h.requiredNumber(h.attribute(e.getValue(), "EndFrequency"), path + "@EndFrequency");
                bandList.add(new FrequencyBand(lo, hi));
                matrices.add(new Hdf5Matrix(h, e.getValue(), path, timeAxis, 0, nt));
            }
            int[] timeDims = h.call("read the shape of FbeDataTime", time::getDimensions);
            if (timeDims.length != 1 || timeDims[0] != nt) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, fbe + "/FbeDataTime has shape "
                        + java.util.Arrays.toString(timeDims) + ", expected [" + nt + "]");
            }
            double loci = h.number(h.attribute(group, "NumberOfLoci"), "NumberOfLoci");
            if (!Double.isNaN(loci) && loci != nx) {
                throw new DasFileException(Reason.INCONSISTENT_AXES, h.file, fbe + "@NumberOfLoci is " + (long) loci
                        + " but the bands hold " + nx + " loci");
            }
            long start = ProdmlReader.startMicros(h, time, first, fbe, nt);
            double rate = h.number(h.attribute(group, "OutputDataRate"), "OutputDataRate");
            if (Double.isNaN(rate)) {
                rate = ProdmlReader.rateFromPart(h, time, fbe, nt);
            }
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new DasFileException(Reason.CORRUPT, h.file, "band-energy rate " + rate + " Hz");
            }
            double spacing = ProdmlReader.spacingMetres(h, acq);
            double startLocus = h.number(h.attribute(group, "StartLocusIndex"), "StartLocusIndex");
            int startChannel = Double.isNaN(startLocus) ? 0 : ProdmlReader.checkedInt(h, startLocus,
                    "StartLocusIndex");
            String unit = h.string(h.attribute(group, "FbeDataUnit"));
            if (unit == null || unit.isEmpty()) {
                unit = h.string(h.attribute(first, "FbeDataUnit"));
            }
            DasFileInfo info = new DasFileInfo(format(), version, ProdmlReader.vendor(h, acq), rate, spacing,
                    startChannel, startChannel * spacing, start, h.number(h.attribute(acq, "GaugeLength"),
                    "GaugeLength"), h.dataTypeName(first, firstPath), 1.0,
                    unit == null || unit.isEmpty() ? "count" : unit, nt, nx);
            return new FbeRecording(info, List.copyOf(bandList), List.copyOf(matrices), h);
        } catch (DasFileException | RuntimeException e) {
            h.close();
            if (e instanceof RuntimeException r) {
                throw Hdf5Source.failure(h.file, "cannot read PRODML band-energy metadata", r);
            }
            throw e;
        }
    }

    private record FbeRecording(DasFileInfo info, List<FrequencyBand> bands, List<Hdf5Matrix> matrices,
                                Hdf5Source source) implements BandEnergyRecording {
        @Override
        public double[] readBand(int band, int from, int count) throws DasFileException {
            if (band < 0 || band >= matrices.size()) {
                throw new IllegalArgumentException("Cannot read band " + band + ": the file has bands [0, "
                        + matrices.size() + ")");
            }
            return matrices.get(band).readChannels(from, count);
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
