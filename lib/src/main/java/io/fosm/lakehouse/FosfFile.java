package io.fosm.lakehouse;

import io.fosm.record.ChunkRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What decoding one FOSF landing file found: the summary that {@code bronze_files} describes it with, or why it did
 * not decode ({@code reason} set, every count 0). Bronze's write produces these as it decodes (an accumulator), so the
 * batch is decoded once and never cached.
 *
 * @param lastEndMicros the latest chunk end (start + samples / rate), fractional microseconds
 */
public record FosfFile(String path, String reason, String detail, String fiberId, double sampleRate,
                       String interrogatorId, int minChannel, int maxChannel, long firstStartMicros,
                       double lastEndMicros, long records, long samples, int maxSamples) implements Serializable {

    /** The summary of a file that decoded into {@code records} (at least one). */
    public static FosfFile of(String path, List<ChunkRecord> records) {
        ChunkRecord first = records.get(0);
        int minChannel = Integer.MAX_VALUE;
        int maxChannel = Integer.MIN_VALUE;
        long firstStart = Long.MAX_VALUE;
        double lastEnd = Double.NEGATIVE_INFINITY;
        long samples = 0;
        int maxSamples = 0;
        for (ChunkRecord r : records) {
            minChannel = Math.min(minChannel, r.channel());
            maxChannel = Math.max(maxChannel, r.channel());
            firstStart = Math.min(firstStart, r.chunkStartMicros());
            lastEnd = Math.max(lastEnd, r.chunkStartMicros() + r.samples().length * 1e6 / r.sampleRate());
            samples += r.samples().length;
            maxSamples = Math.max(maxSamples, r.samples().length);
        }
        return new FosfFile(path, null, null, first.fiberId(), first.sampleRate(), first.interrogatorId(), minChannel,
                maxChannel, firstStart, lastEnd, records.size(), samples, maxSamples);
    }

    /** A file that did not decode. */
    public static FosfFile failed(String path, String reason, String detail) {
        return new FosfFile(path, reason, detail, null, 0, null, 0, 0, 0, 0, 0, 0, 0);
    }

    /** One summary per path (the first), in path order: an accumulator may hold a file twice only if it ran twice. */
    public static List<FosfFile> distinct(Collection<FosfFile> files) {
        Map<String, FosfFile> byPath = new LinkedHashMap<>();
        files.stream().sorted(java.util.Comparator.comparing(FosfFile::path)).forEach(f -> byPath.putIfAbsent(f.path(), f));
        return new ArrayList<>(byPath.values());
    }

    /** This failure as a failed probe of the file (its size and checksum from the probe that admitted it). */
    BronzeFiles.Probe asFailedProbe(List<BronzeFiles.Probe> probes) {
        BronzeFiles.Probe p = probes.stream().filter(x -> x.path().equals(path)).findFirst().orElse(null);
        return new BronzeFiles.Probe(path, p == null ? null : p.fiberId(), p == null ? -1 : p.size(),
                p == null ? "" : p.sha256(), BronzeFiles.FAILED, (BronzeFiles.Info) null, reason, detail);
    }
}
