package io.fosm.generate;

import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Corrupts a fraction of records, and builds undecodable copies of a file, on its own random stream. */
final class FaultInjector {
    private static final long YEAR_MICROS = 365L * 24 * 3600 * 1_000_000L;

    private final double rate;
    private final int channels;
    private final SplittableRandom rng;

    FaultInjector(GeneratorConfig cfg) {
        this.rate = cfg.faultRate();
        this.channels = cfg.channels();
        this.rng = Seeds.stream(cfg.seed(), Seeds.FAULTS, 0);
    }

    boolean enabled() {
        return rate > 0;
    }

    /** Returns the records to write for one file (faults applied, duplicates appended) and logs each fault. */
    List<ChunkRecord> apply(List<ChunkRecord> records, String file, List<InjectedFault> log) {
        if (rate <= 0) {
            return records;
        }
        List<ChunkRecord> out = new ArrayList<>(records.size() + 8);
        List<ChunkRecord> resent = new ArrayList<>();
        for (ChunkRecord r : records) {
            if (rng.nextDouble() >= rate) {
                out.add(r);
                continue;
            }
            FaultType fault = FaultType.RECORD_FAULTS[rng.nextInt(FaultType.RECORD_FAULTS.length)];
            log.add(new InjectedFault(file, r.channel(), r.chunkStartMicros(), r.seq(), fault));
            float[] s = r.samples();
            switch (fault) {
                case NAN_SAMPLES -> {
                    float[] bad = s.clone();
                    int len = 1 + rng.nextInt(Math.max(1, Math.min(50, bad.length)));
                    int at = rng.nextInt(Math.max(1, bad.length - len + 1));
                    Arrays.fill(bad, at, Math.min(bad.length, at + len), Float.NaN);
                    out.add(r.withSamples(bad));
                }
                case WRONG_SAMPLE_COUNT -> out.add(r.withSamples(Arrays.copyOf(s, rng.nextInt(Math.max(1, s.length)))));
                case CHANNEL_OUT_OF_RANGE -> out.add(r.withChannel(rng.nextBoolean()
                        ? channels + rng.nextInt(1000) : -1 - rng.nextInt(1000)));
                case DUPLICATE_RECORD -> {
                    out.add(r);
                    resent.add(r);
                }
                case FUTURE_TIMESTAMP -> out.add(r.withChunkStartMicros(
                        r.chunkStartMicros() + YEAR_MICROS * (1 + rng.nextInt(10))));
                default -> throw new IllegalStateException("Cannot inject " + fault + " into a record");
            }
        }
        // a resend arrives after the original, as a retrying interrogator would send it
        out.addAll(resent);
        return out;
    }

    /** An encoded file that fails to decode with {@code fault.expectedReason()}. */
    byte[] corruptFile(List<ChunkRecord> records, FaultType fault) {
        byte[] b = ChunkCodec.encodeFile(records);
        switch (fault) {
            case CORRUPT_CHECKSUM -> {
                // flip a bit in the last record's samples: the framing stays intact, only the CRC can tell
                int sampleBytes = 4 * records.get(records.size() - 1).sampleCount();
                int at = b.length - 4 - 1 - rng.nextInt(Math.max(1, sampleBytes));
                b[at] ^= (byte) (1 << rng.nextInt(8));
            }
            case TRUNCATED_FILE -> b = Arrays.copyOf(b, b.length / 2);
            case BAD_MAGIC -> b[3] = 'X';
            case BAD_VERSION -> b[4] = 9;
            default -> throw new IllegalStateException("Cannot corrupt a file with " + fault);
        }
        return b;
    }
}
