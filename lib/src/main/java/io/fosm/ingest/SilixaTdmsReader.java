package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Silixa iDAS TDMS files (NI TDMS version 4713, also 4712): one channel object per fibre position, all of one
 * numeric type and length, parsed by {@link TdmsFile} (no native library).
 *
 * <p>Detection: the "TDSm" lead-in and a file object carrying {@code SamplingFrequency[Hz]} (Silixa's key; a TDMS
 * file from another writer is UNKNOWN_FORMAT). Metadata, from the file object's properties as DASCore reads them:
 * sample rate {@code SamplingFrequency[Hz]}; start time {@code GPSTimeStamp} (TDMS time stamp, rounded to the
 * microsecond; falls back to {@code CPUTimeStamp}); channel spacing {@code SpatialResolution[m]} x
 * {@code Fibre Length Multiplier} (multiplier 1 when absent); start distance {@code StartPosition[m]} (as DASCore;
 * the file also declares {@code Zero Offset (m)}, kept out of the info); start channel 0 (TDMS declares no locus
 * index); gauge length {@code GaugeLength} (NaN when absent); unit "count" (the file declares none; DASCore calls the
 * values strain rate); scale 1; vendor "Silixa". Channels are in the order the file first lists them.
 */
public final class SilixaTdmsReader implements DasReader {

    static final String RATE = "SamplingFrequency[Hz]";

    @Override
    public String format() {
        return "silixa_tdms";
    }

    @Override
    public boolean accepts(Path file) {
        if (!TdmsFile.hasLeadIn(file)) {
            return false;
        }
        try (TdmsFile t = TdmsFile.open(file)) {
            return t.fileProperties().containsKey(RATE);
        } catch (DasFileException | RuntimeException e) {
            // a damaged TDMS file is still this format: open() reports what is wrong with it
            return e instanceof DasFileException d && d.reason() != Reason.UNKNOWN_FORMAT;
        }
    }

    @Override
    public DasRecording open(Path file) throws DasFileException {
        TdmsFile t = TdmsFile.open(file);
        try {
            Map<String, Object> p = t.fileProperties();
            String name = file.toString();
            if (!p.containsKey(RATE)) {
                throw new DasFileException(Reason.UNKNOWN_FORMAT, name, "a TDMS file without the Silixa property '"
                        + RATE + "'");
            }
            double rate = number(p, RATE, name);
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new DasFileException(Reason.CORRUPT, name, RATE + " is " + rate + ", expected > 0");
            }
            Object stamp = p.containsKey("GPSTimeStamp") ? p.get("GPSTimeStamp") : p.get("CPUTimeStamp");
            if (!(stamp instanceof TdmsFile.Timestamp ts)) {
                throw new DasFileException(Reason.MISSING_DATASET, name, "no GPSTimeStamp (or CPUTimeStamp) time "
                        + "stamp property");
            }
            double resolution = number(p, "SpatialResolution[m]", name);
            double multiplier = p.containsKey("Fibre Length Multiplier")
                    ? number(p, "Fibre Length Multiplier", name) : 1.0;
            double spacing = resolution * multiplier;
            if (!(spacing > 0) || Double.isInfinite(spacing)) {
                throw new DasFileException(Reason.CORRUPT, name, "channel spacing SpatialResolution[m] x Fibre Length "
                        + "Multiplier is " + spacing + ", expected > 0");
            }
            double start = p.containsKey("StartPosition[m]") ? number(p, "StartPosition[m]", name) : Double.NaN;
            double gauge = p.containsKey("GaugeLength") ? number(p, "GaugeLength", name) : Double.NaN;
            List<TdmsFile.Channel> channels = t.channels();
            if (channels.isEmpty()) {
                throw new DasFileException(Reason.MISSING_DATASET, name, "no channel with raw data");
            }
            int type = channels.get(0).dataType();
            long samples = t.valueCount(0);
            for (int c = 0; c < channels.size(); c++) {
                if (channels.get(c).dataType() != type || t.valueCount(c) != samples) {
                    throw new DasFileException(Reason.INCONSISTENT_AXES, name, "channel " + channels.get(c).path()
                            + " holds " + t.valueCount(c) + " values of " + TdmsFile.typeName(channels.get(c)
                            .dataType()) + ", expected " + samples + " of " + TdmsFile.typeName(type)
                            + " like the first channel");
                }
            }
            if (samples > Integer.MAX_VALUE) {
                throw new DasFileException(Reason.CORRUPT, name, samples + " samples per channel");
            }
            Object measure = p.get("MeasureLength[m]");
            if (measure instanceof Number m && m.longValue() != channels.size()) {
                // Silixa writes the number of loci as MeasureLength[m]; DASCore builds its distance axis from it
                throw new DasFileException(Reason.INCONSISTENT_AXES, name, "MeasureLength[m] declares "
                        + m.longValue() + " loci but the file holds " + channels.size() + " channels");
            }
            DasFileInfo info = new DasFileInfo(format(), Integer.toString(t.version()), "Silixa", rate, spacing, 0,
                    start, ts.epochMicros(), gauge, TdmsFile.typeName(type), 1.0, "count", (int) samples,
                    channels.size());
            return new TdmsRecording(info, t);
        } catch (DasFileException | RuntimeException e) {
            t.close();
            if (e instanceof RuntimeException r) {
                throw new DasFileException(Reason.CORRUPT, file.toString(), "cannot read the Silixa properties ("
                        + r + ")", r);
            }
            throw e;
        }
    }

    private static double number(Map<String, Object> p, String key, String file) throws DasFileException {
        Object v = p.get(key);
        if (v == null) {
            throw new DasFileException(Reason.MISSING_DATASET, file, "no file property '" + key + "'");
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new DasFileException(Reason.CORRUPT, file, "file property '" + key + "' is '" + v
                    + "', expected a number");
        }
    }

    private record TdmsRecording(DasFileInfo info, TdmsFile tdms) implements DasRecording {
        @Override
        public double[] readChannels(int from, int count) throws DasFileException {
            Blocks.checkRange(from, count, info.channels());
            return tdms.read(from, count, info.timeSamples());
        }

        @Override
        public void close() {
            tdms.close();
        }
    }
}
