package io.fosm.generate;

import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Simulates a DAS interrogator on one fiber and writes landing files, the ground-truth event log and (with faults)
 * the faults log. Streams file by file: memory is O(one file), not O(fiber).
 *
 * <p>Output layout under {@code config.output()}:
 * {@code landing/<fiberId>/<fiberId>_<yyyyMMdd'T'HHmmss'Z'>_<seq>.fosf}, {@code events/<fiberId>_events.jsonl},
 * {@code events/<fiberId>_faults.jsonl}.
 */
public final class FiberSimulator {
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final double GAIN_DRIFT = 2.5;
    private static final double NOISE_DRIFT = 3.0;

    private final GeneratorConfig cfg;
    private final FiberLayout layout;
    private final List<GroundTruthEvent> events;

    /** Plans the fiber (layout and events) from the config; nothing is written until {@link #run()}. */
    public FiberSimulator(GeneratorConfig config) {
        this.cfg = config;
        EventPlanner planner = new EventPlanner(config);
        this.layout = planner.layout();
        this.events = planner.events().stream().map(s -> s.truth).toList();
    }

    public GeneratorConfig config() {
        return cfg;
    }

    /** Dead, faded and hum channels of this fiber. */
    public FiberLayout layout() {
        return layout;
    }

    /** The ground truth, sorted by onset, exactly as written to the event log. */
    public List<GroundTruthEvent> events() {
        return events;
    }

    /** Name of the landing file with sequence number {@code fileSeq} whose first chunk starts at {@code micros}. */
    public static String landingFileName(String fiberId, long micros, long fileSeq) {
        return String.format("%s_%s_%06d.fosf", fiberId,
                FILE_TIME.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L))), fileSeq);
    }

    /** Generates and writes everything with a default Hadoop configuration. */
    public GenerateResult run() throws IOException {
        return run(new Configuration());
    }

    /** Generates and writes everything; {@code hadoopConf} supplies e.g. s3a credentials. */
    public GenerateResult run(Configuration hadoopConf) throws IOException {
        long t0 = System.nanoTime();
        LandingWriter writer = new LandingWriter(cfg.output(), cfg.fiberId(), hadoopConf);
        FaultInjector faults = new FaultInjector(cfg);
        List<InjectedFault> faultLog = new ArrayList<>();
        List<String> files = new ArrayList<>();
        Renderer renderer = new Renderer();
        long records = 0;
        long samples = 0;
        long bytes = 0;
        long seq = 0;
        List<ChunkRecord> firstChunk = null;
        for (long file = 0; file < cfg.fileCount(); file++) {
            List<ChunkRecord> block = renderer.block(file, seq);
            seq += block.size();
            if (firstChunk == null) {
                firstChunk = List.copyOf(block.subList(0, cfg.channels()));
            }
            String name = landingFileName(cfg.fiberId(), block.get(0).chunkStartMicros(), file);
            List<ChunkRecord> out = faults.apply(block, name, faultLog);
            byte[] encoded = ChunkCodec.encodeFile(out);
            files.add(writer.writeLanding(name, encoded));
            records += out.size();
            samples += out.stream().mapToLong(ChunkRecord::sampleCount).sum();
            bytes += encoded.length;
        }
        if (faults.enabled()) {
            // undecodable re-deliveries of the first chunk: the data itself is also in the regular first file
            long fileSeq = cfg.fileCount();
            for (FaultType fault : FaultType.FILE_FAULTS) {
                String name = landingFileName(cfg.fiberId(), cfg.startMicros(), fileSeq++);
                byte[] encoded = faults.corruptFile(firstChunk, fault);
                files.add(writer.writeLanding(name, encoded));
                faultLog.add(new InjectedFault(name, null, null, null, fault));
                bytes += encoded.length;
            }
        }
        String eventLog = writer.writeJsonLines(cfg.fiberId() + "_events.jsonl",
                events.stream().map(GroundTruthEvent::toJsonFields).toList());
        String faultLogPath = faultLog.isEmpty() ? null : writer.writeJsonLines(cfg.fiberId() + "_faults.jsonl",
                faultLog.stream().map(InjectedFault::toJsonFields).toList());
        Map<EventType, Integer> byType = new EnumMap<>(EventType.class);
        events.forEach(e -> byType.merge(e.type(), 1, Integer::sum));
        Map<FaultType, Integer> faultsByType = new EnumMap<>(FaultType.class);
        faultLog.forEach(f -> faultsByType.merge(f.fault(), 1, Integer::sum));
        return new GenerateResult(files, records, samples, byType, faultsByType, bytes, eventLog, faultLogPath,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * The clean records of every landing file, in order, without writing anything or injecting faults; for
     * in-process consumers such as a stream producer. Each call starts from the beginning of the recording.
     */
    public void forEachFile(FileConsumer consumer) {
        Renderer renderer = new Renderer();
        long seq = 0;
        for (long file = 0; file < cfg.fileCount(); file++) {
            List<ChunkRecord> block = renderer.block(file, seq);
            seq += block.size();
            consumer.accept(file, block);
        }
    }

    /** Receives one landing file's worth of records: all channels x {@code fileSeconds}, chunk-major. */
    @FunctionalInterface
    public interface FileConsumer {
        void accept(long fileIndex, List<ChunkRecord> records);
    }

    /** Per-run signal state: noise per channel and event sources, advanced block by block. */
    private final class Renderer {
        private final ChannelNoise[] noise = new ChannelNoise[cfg.channels()];
        private final List<EventSource> sources = new EventPlanner(cfg).events();
        private final double[][] hum50 = new double[cfg.channels()][];
        private final long onsetSample = Math.round(cfg.driftOnsetSeconds() * cfg.sampleRate());
        private final long noBoost = Long.MAX_VALUE;

        Renderer() {
            for (int c = 0; c < noise.length; c++) {
                noise[c] = new ChannelNoise(Seeds.stream(cfg.seed(), Seeds.NOISE, c));
            }
            double fs = cfg.sampleRate();
            for (FiberLayout.HumSite site : layout.humSites()) {
                double phase = (site.centerChannel() * 0.7) % (2 * Math.PI);
                double sigma = Math.max(0.5, site.halfWidthChannels() / 2);
                for (int c = 0; c < noise.length; c++) {
                    double d = c - site.centerChannel();
                    if (Math.abs(d) <= site.halfWidthChannels() && 50 < 0.49 * fs) {
                        double a = site.amplitude() * Math.exp(-d * d / (2 * sigma * sigma));
                        double[] prev = hum50[c] == null ? new double[] {0, 0} : hum50[c];
                        // several sites may overlap a channel: keep the strongest (same mains phase locally)
                        hum50[c] = a > prev[0] ? new double[] {a, phase} : prev;
                    }
                }
            }
        }

        List<ChunkRecord> block(long file, long seq0) {
            int chunkSamples = cfg.chunkSamples();
            long firstChunk = file * cfg.chunksPerFile();
            int chunks = (int) Math.min(cfg.chunksPerFile(), cfg.chunkCount() - firstChunk);
            int n = chunks * chunkSamples;
            long from = firstChunk * chunkSamples;
            long to = from + n;
            List<EventSource> active = new ArrayList<>();
            List<double[]> waves = new ArrayList<>();
            for (EventSource s : sources) {
                if (s.active(from, to)) {
                    double[] wave = new double[n];
                    s.render(from, from, to, wave);
                    active.add(s);
                    waves.add(wave);
                }
            }
            float[][][] out = new float[chunks][cfg.channels()][];
            double fs = cfg.sampleRate();
            DriftMode drift = cfg.driftMode();
            // channels are independent given the event waveforms, so they render in parallel deterministically
            IntStream.range(0, cfg.channels()).parallel().forEach(c -> {
                double[] buf = new double[n];
                noise[c].fill(buf, from, n, fs, drift.noise() ? onsetSample : noBoost, NOISE_DRIFT);
                if (hum50[c] != null) {
                    double a = hum50[c][0];
                    double ph = hum50[c][1];
                    boolean harmonic = 100 < 0.49 * fs;
                    for (int i = 0; i < n; i++) {
                        double w = 2 * Math.PI * 50 * (from + i) / fs + ph;
                        buf[i] += a * Math.sin(w) + (harmonic ? 0.15 * a * Math.sin(2 * w) : 0);
                    }
                }
                for (int e = 0; e < active.size(); e++) {
                    EventSource s = active.get(e);
                    if (c >= s.firstChannel(from, to) && c <= s.lastChannel(from, to)) {
                        s.addTo(c, buf, waves.get(e), from, n);
                    }
                }
                double factor = layout.channelFactor(c);
                for (int j = 0; j < chunks; j++) {
                    float[] chunk = new float[chunkSamples];
                    int base = j * chunkSamples;
                    for (int i = 0; i < chunkSamples; i++) {
                        long k = from + base + i;
                        double g = drift.gain() && k >= onsetSample ? factor * GAIN_DRIFT : factor;
                        chunk[i] = (float) (buf[base + i] * g);
                    }
                    out[j][c] = chunk;
                }
            });
            List<ChunkRecord> records = new ArrayList<>(chunks * cfg.channels());
            long chunkMicros = Math.round(cfg.chunkSeconds() * 1e6);
            long seq = seq0;
            for (int j = 0; j < chunks; j++) {
                long start = cfg.startMicros() + (firstChunk + j) * chunkMicros;
                for (int c = 0; c < cfg.channels(); c++) {
                    records.add(new ChunkRecord(cfg.fiberId(), c, start, fs, out[j][c], cfg.interrogatorId(), seq++));
                }
            }
            return records;
        }
    }
}
