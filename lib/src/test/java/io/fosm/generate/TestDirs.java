package io.fosm.generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh folders under java.io.tmpdir; the build points that at target/tmp, which may not exist yet. */
final class TestDirs {
    private TestDirs() {
    }

    static Path fresh(String prefix) {
        try {
            Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
