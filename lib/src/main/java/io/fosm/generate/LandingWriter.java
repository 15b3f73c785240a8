package io.fosm.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Writes through the Hadoop FileSystem API (local, file://, s3a://) and publishes each file by rename. */
final class LandingWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path landing;
    private final Path events;

    LandingWriter(String output, String fiberId, Configuration conf) throws IOException {
        Path root = new Path(output);
        this.fs = root.getFileSystem(conf);
        // no .crc sidecars on the local file system: readers list the folder and should see only data files
        fs.setWriteChecksum(false);
        this.landing = new Path(new Path(root, "landing"), fiberId);
        this.events = new Path(root, "events");
        mkdirs(landing);
        mkdirs(events);
    }

    /** Writes a landing file under a hidden temp name, then renames it, so a reader never sees half a file. */
    String writeLanding(String name, byte[] bytes) throws IOException {
        return publish(new Path(landing, name), bytes);
    }

    String writeJsonLines(String name, List<Map<String, Object>> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> line : lines) {
            try {
                sb.append(JSON.writeValueAsString(line)).append('\n');
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("Cannot write " + name + ": " + e.getMessage(), e);
            }
        }
        return publish(new Path(events, name), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private String publish(Path target, byte[] bytes) throws IOException {
        // leading '.' keeps Hadoop/Spark file listings from picking up the temp file
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("Cannot replace " + target + ": delete failed");
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("Cannot publish " + target + ": rename from " + tmp + " failed");
        }
        return fs.makeQualified(target).toString();
    }

    private void mkdirs(Path dir) throws IOException {
        if (!fs.mkdirs(dir)) {
            throw new IOException("Cannot create folder " + dir);
        }
    }
}
