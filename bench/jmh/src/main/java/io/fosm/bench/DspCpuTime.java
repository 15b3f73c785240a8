package io.fosm.bench;

import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * {@link FeatureExtractor#extract} timed in thread CPU time rather than wall time: on a machine shared with other
 * jobs the wall-time figures of JMH swing by +-50 %, while the CPU time the benchmark thread itself used per window
 * stays within a few percent, which is what an A/B comparison of two builds needs. Not a replacement for
 * {@link DspBench} on a quiet machine (CPU time still includes cache and frequency effects of the neighbours).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.fosm.bench.DspCpuTime [windows per round] [rounds]}; prints the median
 * over rounds of CPU ns per window and windows per CPU second, on a seeded Gaussian signal of 16 channels x 120 s.
 */
public final class DspCpuTime {
    private DspCpuTime() {}

    public static void main(String[] args) {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        FeatureConfig config = FeatureConfig.defaults(1000.0);
        FeatureExtractor extractor = new FeatureExtractor(config);
        double[] out = new double[extractor.featureCount()];
        Random rnd = new Random(7);
        double[][] signal = new double[16][120_000];
        for (double[] ch : signal) {
            for (int i = 0; i < ch.length; i++) {
                ch[i] = rnd.nextGaussian();
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int hop = config.hopSamples();
        int n = config.windowSamples();
        double sink = 0;
        double[] nsPerWindow = new double[rounds];
        int channel = 0;
        int offset = 0;
        for (int r = -5; r < rounds; r++) {   // 5 warm-up rounds
            long t0 = mx.getCurrentThreadCpuTime();
            for (int w = 0; w < perRound; w++) {
                extractor.extract(signal[channel], offset, out);
                sink += out[0] + out[out.length - 1];
                offset += hop;
                if (offset + n > signal[channel].length) {
                    offset = 0;
                    channel = (channel + 1) % signal.length;
                }
            }
            long t1 = mx.getCurrentThreadCpuTime();
            if (r >= 0) {
                nsPerWindow[r] = (t1 - t0) / (double) perRound;
            }
        }
        Arrays.sort(nsPerWindow);
        double median = nsPerWindow[rounds / 2];
        System.out.printf("extract: median %.0f CPU ns/window (%.0f windows per CPU second; rounds %.0f..%.0f ns)"
                + " [sink %.3g]%n", median, 1e9 / median, nsPerWindow[0], nsPerWindow[rounds - 1], sink);
    }
}
