import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reader throughput on one core: opens each sample file and reads every channel into channel-major doubles, RUNS
 * times after WARMUP untimed reads; prints "file format samples median_seconds samples_per_second" per file.
 * Run by bench/readers/run.sh (java single-file launch against fosm-lib's classpath).
 */
public class ReaderBench {
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        for (int i = 3; i < args.length; i++) {
            Path f = folder.resolve(args[i]);
            double[] seconds = new double[runs];
            long samples = 0;
            String format = "";
            for (int k = -warmup; k < runs; k++) {
                long t0 = System.nanoTime();
                try (DasRecording r = DasReaders.open(f)) {
                    double[] d = r.readChannels(0, r.info().channels());
                    samples = d.length;
                    format = r.info().format();
                }
                if (k >= 0) {
                    seconds[k] = (System.nanoTime() - t0) / 1e9;
                }
            }
            Arrays.sort(seconds);
            double median = seconds[runs / 2];
            System.out.printf("%s %s %d %.6f %.0f%n", args[i], format, samples, median, samples / median);
        }
    }
}
