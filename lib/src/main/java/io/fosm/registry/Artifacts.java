package io.fosm.registry;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.mlflow.tracking.MlflowClient;

/**
 * Moves artifacts between this machine and a run's artifact store. The Java mlflow-client forks
 * {@code python -m mlflow.store.artifact.cli} for every artifact operation, whatever the store, so {@code file:}
 * stores (the server fosm starts) are read and written here directly: no Python needed, and no second copy on
 * download. Other schemes go through the client and need the mlflow CLI ({@code MLFLOW_PYTHON_EXECUTABLE}).
 */
final class Artifacts {
    private final MlflowClient client;

    Artifacts(MlflowClient client) {
        this.client = client;
    }

    static boolean isFile(String uri) {
        return uri.startsWith("file:");
    }

    /** Copies a file, or a directory's contents, to {@code <runArtifactUri>/<artifactDir>}. */
    void upload(String runId, String runArtifactUri, Path local, String artifactDir) {
        if (!Files.exists(local)) {
            throw new RegistryException("Cannot log artifact " + local + ": no such file or directory");
        }
        if (!isFile(runArtifactUri)) {
            File f = local.toFile();
            boolean root = artifactDir == null || artifactDir.isEmpty();
            if (Files.isDirectory(local)) {
                if (root) {
                    client.logArtifacts(runId, f);
                } else {
                    client.logArtifacts(runId, f, artifactDir);
                }
            } else if (root) {
                client.logArtifact(runId, f);
            } else {
                client.logArtifact(runId, f, artifactDir);
            }
            return;
        }
        Path runDir = localPath(runArtifactUri);
        Path target = artifactDir == null || artifactDir.isEmpty() ? runDir : runDir.resolve(artifactDir).normalize();
        if (!target.startsWith(runDir)) {
            throw new RegistryException("Cannot log artifact to '" + artifactDir + "': the path leaves the run's artifact directory");
        }
        try {
            if (Files.isDirectory(local)) {
                copyTree(local, target);
            } else {
                Files.createDirectories(target);
                Files.copy(local, target.resolve(local.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new RegistryException("Cannot log artifact " + local + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * A fresh local copy of the artifact (file or directory) at {@code uri}; for stores other than {@code file:}
     * the fallback downloads through the client.
     */
    Path download(String uri, Supplier<File> viaClient) {
        if (!isFile(uri)) {
            return viaClient.get().toPath();
        }
        Path source = Path.of(URI.create(uri));
        if (!Files.exists(source)) {
            throw new RegistryException("Cannot download artifacts from " + uri + ": " + source
                    + " does not exist on this machine (a file: artifact store must be shared with the server's host)");
        }
        try {
            Path dir = Files.createTempDirectory("fosm-mlflow-");
            Path target = dir.resolve(source.getFileName().toString());
            if (Files.isDirectory(source)) {
                copyTree(source, target);
            } else {
                Files.copy(source, target);
            }
            return target;
        } catch (IOException e) {
            throw new RegistryException("Cannot download artifacts from " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * The local directory of a file: run artifact URI. The root of the store must exist here already: when the
     * server's file system is not this machine's, writing would create the folders locally and lose the artifacts.
     */
    private static Path localPath(String runArtifactUri) {
        Path runDir = Path.of(URI.create(runArtifactUri));
        // layout <artifact root>/<experiment id>/<run id>/artifacts
        Path root = runDir.getParent() == null || runDir.getParent().getParent() == null
                ? runDir : runDir.getParent().getParent().getParent();
        if (root == null || !Files.isDirectory(root)) {
            throw new RegistryException("Cannot log artifacts to " + runArtifactUri + ": the artifact store " + root
                    + " does not exist on this machine; the server's file: artifact root must be on a file system this"
                    + " driver shares (see docs/mlflow.md)");
        }
        return runDir;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
