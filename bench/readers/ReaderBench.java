import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reader throughput on one core: opens each sample file and reads every channel into channel-major doubles, RUNS
 * times after WARMUP untimed reads; prints per file "file format samples open+read_s open+read_samples/s read_s
 * read_samples/s" (medians; "read" = readChannels of every channel with the file already open).
 * Run by bench/readers/run.sh (java single-file launch against fosm-lib's classpath).
 */
public class ReaderBench {
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        for (int i = 3; i < args.length; i++) {
            Path f = folder.resolve(args[i]);
            double[] total = new double[runs];
            double[] readOnly = new double[runs];
            long samples = 0;
            String format = "";
            for (int k = -warmup; k < runs; k++) {
                long t0 = System.nanoTime();
                try (DasRecording r = DasReaders.open(f)) {
                    samples = r.readChannels(0, r.info().channels()).length;
                    format = r.info().format();
                }
                if (k >= 0) {
                    total[k] = (System.nanoTime() - t0) / 1e9;
                }
            }
            try (DasRecording r = DasReaders.open(f)) {
                for (int k = -warmup; k < runs; k++) {
                    long t0 = System.nanoTime();
                    r.readChannels(0, r.info().channels());
                    if (k >= 0) {
                        readOnly[k] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            Arrays.sort(total);
            Arrays.sort(readOnly);
            System.out.printf("%s %s %d %.6f %.0f %.6f %.0f%n", args[i], format, samples, total[runs / 2],
                    samples / total[runs / 2], readOnly[runs / 2], samples / readOnly[runs / 2]);
        }
    }
}
