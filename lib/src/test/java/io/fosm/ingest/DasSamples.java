package io.fosm.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the real interrogator sample files are: the folder in {@code FOSM_DAS_SAMPLES} when set, else
 * {@code ../shared/das-samples} next to the repository, else the {@code .cache/das-samples} that
 * {@code make das-samples} fills. A missing file fails the test with instructions; it is never skipped.
 */
public final class DasSamples {

    public static final List<String> FILES = List.of("prodml_2.0.h5", "iDAS005_hdf5_example.626.h5",
            "iDAS005_tdms_example.626.tdms", "terra15_v5_test_file.hdf5", "febus_2.h5", "ap_sensing_1.hdf5",
            "decimated_optodas.hdf5", "small_channel_patch.sgy", "prodml_fbe_1.h5");

    private DasSamples() {
    }

    /** The repository root (the folder holding the root pom.xml and lib/). */
    public static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("lib")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("Cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String env = System.getenv("FOSM_DAS_SAMPLES");
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        Path root = repositoryRoot();
        out.add(root.resolve("../shared/das-samples").normalize());
        out.add(root.resolve(".cache/das-samples"));
        return out;
    }

    /** The sample file, or an AssertionError saying how to get the samples. */
    public static Path file(String name) {
        for (Path dir : candidates()) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new AssertionError("Cannot find the DAS sample file " + name + " in " + candidates()
                + ": run `make das-samples` (downloads github.com/dasdae/test_data das/ files into .cache/das-samples "
                + "and checks their sha256) or set FOSM_DAS_SAMPLES to a folder holding them");
    }
}
