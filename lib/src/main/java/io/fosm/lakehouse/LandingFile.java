package io.fosm.lakehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A landing file as a local file on an executor: the readers of interrogator formats (HDF5, TDMS, SEG-Y) need random
 * access to a local file, so a file on another file system (hdfs://, s3a://) is copied to a local temporary file
 * for the time it is read, then deleted. Carries the Hadoop settings of the session (credentials providers, S3
 * endpoint) to the executors as plain strings.
 */
public final class LandingFile implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, String> hadoopSettings;

    private LandingFile(Map<String, String> hadoopSettings) {
        this.hadoopSettings = hadoopSettings;
    }

    /** The session's Hadoop settings, captured on the driver. */
    public static LandingFile access(Configuration conf) {
        Map<String, String> settings = new HashMap<>();
        conf.forEach(e -> settings.put(e.getKey(), e.getValue()));
        return new LandingFile(settings);
    }

    /** Does something with the file as a local path. */
    @FunctionalInterface
    public interface LocalAction<T> {
        T apply(java.nio.file.Path local) throws Exception;
    }

    /** Runs the action on a local view of the file (the file itself when it is local). */
    public <T> T withLocal(String qualifiedPath, LocalAction<T> action) throws Exception {
        Path path = new Path(qualifiedPath);
        URI uri = path.toUri();
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            return action.apply(java.nio.file.Path.of(uri.getPath()));
        }
        Configuration conf = new Configuration(false);
        hadoopSettings.forEach(conf::set);
        java.nio.file.Path local = Files.createTempFile("fosm-landing-", "-" + path.getName());
        try {
            FileSystem fs = path.getFileSystem(conf);
            fs.copyToLocalFile(false, path, new Path(local.toUri()), true);
            return action.apply(local);
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /** The hex sha256 of a local file. */
    public static String sha256(java.nio.file.Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot compute sha256: the JVM has no SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The first bytes of a local file (fewer when it is shorter). */
    public static byte[] head(java.nio.file.Path file, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }
}
