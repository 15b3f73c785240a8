package io.fosm.bench;

import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import io.fosm.dsp.WindowStitcher;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtransforms.fft.DoubleFFT_1D;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Raw single-thread throughput of the gold DSP ({@link FeatureExtractor}, default 1 s / 0.5 s windows at 1 kHz, 19
 * features) on the benchmark fiber's landing data, without Spark.
 *
 * <ul>
 *   <li>{@code extract}: one op = one window: {@code FeatureExtractor.extract} on a window of an already stitched
 *       channel signal (double[]). The pure DSP limit.</li>
 *   <li>{@code stitchExtract}: one op = one window, as gold's mapPartitions body cuts them minus Spark: the channel's
 *       1 s float[] chunks pushed through a {@link WindowStitcher} whose sink calls {@code extract}.</li>
 *   <li>{@code fft1000} / {@code fft1024}: JTransforms {@code realForward} alone on N = 1000 (mixed radix, allocates a
 *       scratch array per call) and N = 1024 (power of two, allocates nothing), to show the FFT's share.</li>
 * </ul>
 * Data: the first {@code channels} channels of every landing file under {@code landing} (a folder of .fosf files),
 * or a seeded Gaussian signal when {@code landing} is empty.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DspBench {

    /** Windows per channel in the stitchExtract invocation: (120 s - 1 s) / 0.5 s + 1 at the default 120 s. */
    public static final int WINDOWS_PER_CHANNEL = 239;

    @Param("")
    public String landing;

    @Param("16")
    public int channels;

    private FeatureConfig config;
    private FeatureExtractor extractor;
    private double[] out;
    /** Stitched signal per channel (float samples widened to double). */
    private double[][] signal;
    /** The 1 s chunks of each channel, in time order, with their global start sample index. */
    private float[][][] chunks;
    private long[][] chunkStart;
    private int channel;
    private int offset;

    private DoubleFFT_1D fft1000;
    private DoubleFFT_1D fft1024;
    private double[] fftIn1000;
    private double[] fftIn1024;
    private double[] fftBuf1000;
    private double[] fftBuf1024;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        config = FeatureConfig.defaults(1000.0);
        extractor = new FeatureExtractor(config);
        out = new double[extractor.featureCount()];
        List<List<ChunkRecord>> perChannel = load();
        int c = perChannel.size();
        signal = new double[c][];
        chunks = new float[c][][];
        chunkStart = new long[c][];
        for (int ch = 0; ch < c; ch++) {
            List<ChunkRecord> rs = perChannel.get(ch);
            int total = rs.stream().mapToInt(ChunkRecord::sampleCount).sum();
            signal[ch] = new double[total];
            chunks[ch] = new float[rs.size()][];
            chunkStart[ch] = new long[rs.size()];
            int pos = 0;
            for (int i = 0; i < rs.size(); i++) {
                ChunkRecord r = rs.get(i);
                chunks[ch][i] = r.samples();
                chunkStart[ch][i] = WindowStitcher.sampleIndex(r.chunkStartMicros(), r.sampleRate());
                for (float v : r.samples()) {
                    signal[ch][pos++] = v;
                }
            }
        }
        long windows = countWindowsOfOneChannel();
        if (windows != WINDOWS_PER_CHANNEL) {
            throw new IllegalStateException("stitchExtract assumes " + WINDOWS_PER_CHANNEL
                    + " windows per channel (120 s at 1 kHz) but the data gives " + windows);
        }
        fft1000 = new DoubleFFT_1D(1000);
        fft1024 = new DoubleFFT_1D(1024);
        java.util.Random rnd = new java.util.Random(1);
        fftIn1000 = new double[1000];
        fftIn1024 = new double[1024];
        for (int i = 0; i < 1024; i++) {
            if (i < 1000) {
                fftIn1000[i] = rnd.nextGaussian();
            }
            fftIn1024[i] = rnd.nextGaussian();
        }
        fftBuf1000 = new double[1000];
        fftBuf1024 = new double[1024];
    }

    private long countWindowsOfOneChannel() {
        WindowStitcher s = WindowStitcher.forConfig(config);
        long n = 0;
        for (int i = 0; i < chunks[0].length; i++) {
            n += s.push(chunkStart[0][i], chunks[0][i], (start, buf, off) -> { });
        }
        return n;
    }

    private List<List<ChunkRecord>> load() throws IOException {
        List<List<ChunkRecord>> perChannel = new ArrayList<>();
        for (int ch = 0; ch < channels; ch++) {
            perChannel.add(new ArrayList<>());
        }
        if (landing == null || landing.isEmpty()) {
            java.util.Random rnd = new java.util.Random(7);
            for (int ch = 0; ch < channels; ch++) {
                for (int s = 0; s < 120; s++) {
                    float[] x = new float[1000];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) rnd.nextGaussian();
                    }
                    perChannel.get(ch).add(new ChunkRecord("synthetic", ch, 1_767_225_600_000_000L + s * 1_000_000L,
                            1000.0, x, "iu-1", s));
                }
            }
            return perChannel;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of(landing))) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".fosf")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no .fosf landing files under " + landing);
        }
        for (Path f : files) {
            for (ChunkRecord r : ChunkCodec.decodeFile(Files.readAllBytes(f))) {
                if (r.channel() >= 0 && r.channel() < channels) {
                    perChannel.get(r.channel()).add(r);
                }
            }
        }
        for (List<ChunkRecord> rs : perChannel) {
            rs.sort(Comparator.comparingLong(ChunkRecord::chunkStartMicros));
        }
        return perChannel;
    }

    /** One window: extract on the next hop-aligned window of the stitched signals (round robin over channels). */
    @Benchmark
    public double[] extract() {
        double[] x = signal[channel];
        extractor.extract(x, offset, out);
        offset += config.hopSamples();
        if (offset + config.windowSamples() > x.length) {
            offset = 0;
            channel = (channel + 1) % signal.length;
        }
        return out;
    }

    /** All windows of one channel (one op = one window): chunks -> WindowStitcher -> extract, as gold does per run. */
    @Benchmark
    @OperationsPerInvocation(WINDOWS_PER_CHANNEL)
    public void stitchExtract(Blackhole bh) {
        int ch = channel;
        channel = (channel + 1) % chunks.length;
        WindowStitcher stitcher = WindowStitcher.forConfig(config);
        float[][] cs = chunks[ch];
        long[] starts = chunkStart[ch];
        for (int i = 0; i < cs.length; i++) {
            stitcher.push(starts[i], cs[i], (start, buf, off) -> {
                extractor.extract(buf, off, out);
                bh.consume(out[0] + out[out.length - 1]);
            });
        }
    }

    @Benchmark
    public double[] fft1000() {
        System.arraycopy(fftIn1000, 0, fftBuf1000, 0, 1000);
        fft1000.realForward(fftBuf1000);
        return fftBuf1000;
    }

    @Benchmark
    public double[] fft1024() {
        System.arraycopy(fftIn1024, 0, fftBuf1024, 0, 1024);
        fft1024.realForward(fftBuf1024);
        return fftBuf1024;
    }
}
