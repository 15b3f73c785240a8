package io.fosm.streaming;

import io.fosm.config.FosmConfig;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Small generated feeds for the stream tests. */
final class StreamFixtures {
    static final String FIBER = "demo";

    private StreamFixtures() {}

    /**
     * Generates a fiber into {@code config}'s landing folder (one file per second) and gives the files increasing
     * modification times in time order, as a live feed would (the file source reads in modification order).
     */
    static void generate(FosmConfig config, int channels, double seconds, long seed, double eventsPerMinute)
            throws IOException {
        new FiberSimulator(GeneratorConfig.builder().output(config.lakehouseRoot()).fiberId(FIBER).channels(channels)
                .durationSeconds(seconds).fileSeconds(1).seed(seed).eventRatePerMinute(eventsPerMinute).build()).run();
        orderModificationTimes(Path.of(config.landingPath()), 0);
    }

    /** Sets modification times in name order, one second apart, starting {@code offset} seconds after a fixed base. */
    static long orderModificationTimes(Path dir, long offset) throws IOException {
        long base = 1_700_000_000_000L + offset * 1000;
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (int i = 0; i < files.size(); i++) {
            files.get(i).toFile().setLastModified(base + i * 1000L);
        }
        return offset + files.size();
    }

    /** Writes a chunk file (landing format) with a given modification time. */
    static Path writeFile(Path dir, String name, byte[] bytes, long mtimeMillis) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        p.toFile().setLastModified(mtimeMillis);
        return p;
    }

    static byte[] file(ChunkRecord... records) {
        return ChunkCodec.encodeFile(List.of(records));
    }
}
