package io.fosm.streaming;

import io.fosm.config.FosmConfig;
import io.fosm.models.Promotion;
import io.fosm.testing.SparkTestSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The committed stream-restart fixture ({@code src/test/resources/fixtures/stream-restart}): the checkpoint (offsets,
 * commits, both stateful operators' state store) and the tables (stream_scores, incidents, stream_incident_state,
 * stream_dead_letter) a stream of this release leaves after the first {@link #FIRST_FILES} of {@link #SECONDS} one-second
 * files of a small generated fiber. {@link StreamStateUpgradeTest} restarts a stream of the current code from it.
 *
 * <p>Regenerate (after a change of the state encodings, e.g. when the incident state gets its own codec):
 * {@code make stream-fixture} (needs MLFLOW_TRACKING_URI). The checkpoint's file-source log names files by absolute
 * path; the fixture stores the lakehouse root as {@link #ROOT_PLACEHOLDER} and {@link #install} puts the new root back.
 */
public final class StreamStateFixture {
    static final int CHANNELS = 4;
    static final int SECONDS = 18;
    static final int FIRST_FILES = 12;
    static final long SEED = 21;
    static final double EVENTS_PER_MINUTE = 20;
    static final String ROOT_PLACEHOLDER = "@FOSM_ROOT@";
    static final String RESOURCE = "fixtures/stream-restart";
    /** What the fixture holds, relative to the lakehouse root. */
    static final List<String> PARTS = List.of("_checkpoints", "stream");

    private StreamStateFixture() {}

    /** The stream's settings for a lakehouse at {@code root} scoring with {@code model}. */
    static List<String> overrides(Path root, String model) {
        return List.of("lakehouse.root=" + root.toAbsolutePath(), "fibers=demo", "fiber.demo.channels=" + CHANNELS,
                "stream.files.path=${landing.path}", "stream.max_per_trigger=3", "stream.watermark_seconds=4",
                "stream.alert.threshold=0.5", "stream.alert.k=2", "stream.model_check_seconds=3600",
                "mlflow.model_name=" + model, "mlflow.tracking_uri=" + StreamModelFixture.trackingUri());
    }

    /** Generates every input file of the fixture into the landing folder of {@code config}, in time order. */
    static void landing(FosmConfig config) throws IOException {
        StreamFixtures.generate(config, CHANNELS, SECONDS, SEED, EVENTS_PER_MINUTE);
    }

    /** Runs the stream to the end of the files present (Trigger.AvailableNow) in {@code spark}. */
    static void runToEnd(SparkSession spark, FosmConfig config) throws Exception {
        StreamingQuery query = StreamingScorer.start(spark, config, Trigger.AvailableNow(), List.of());
        query.awaitTermination();
        if (query.exception().isDefined()) {
            throw query.exception().get();
        }
    }

    /** Copies the committed fixture into the lakehouse at {@code root}, naming that root in the checkpoint. */
    static void install(Path fixture, Path root) throws IOException {
        String abs = root.toAbsolutePath().toString();
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path p : files.sorted().toList()) {
                Path target = root.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (isFileSourceLog(fixture.relativize(p))) {
                    String text = Files.readString(p, StandardCharsets.UTF_8).replace(ROOT_PLACEHOLDER, abs);
                    Files.writeString(target, text, StandardCharsets.UTF_8);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static boolean isFileSourceLog(Path relative) {
        return relative.toString().replace('\\', '/').matches("_checkpoints/stream/sources/.*")
                && !relative.getFileName().toString().startsWith(".");
    }

    /** Writes the fixture into {@code args[0]} (default: this module's src/test/resources/fixtures/stream-restart). */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/" + RESOURCE).toAbsolutePath();
        Path root = Files.createTempDirectory("fosm-stream-fixture");
        String model = StreamModelFixture.freshName("stream-fixture");
        StreamModelFixture.alias(model, Promotion.CHAMPION, StreamModelFixture.register(model));
        FosmConfig config = FosmConfig.local(overrides(root, model).toArray(new String[0]));
        landing(config);
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of(config.landingPath()))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path late : files.subList(FIRST_FILES, files.size())) {
            Files.delete(late);
        }
        SparkSession spark = SparkTestSession.get();
        runToEnd(spark, config);
        spark.stop();

        deleteTree(out);
        List<Path> written = new ArrayList<>();
        for (String part : PARTS) {
            Path from = root.resolve(part);
            if (!Files.exists(from)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(from)) {
                for (Path p : s.sorted().toList()) {
                    String name = p.getFileName().toString();
                    // Hadoop's .<file>.crc side files are optional on read; leave them out of the repository
                    if (name.startsWith(".") && name.endsWith(".crc")) {
                        continue;
                    }
                    Path target = out.resolve(root.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else if (isFileSourceLog(root.relativize(p))) {
                        String text = Files.readString(p, StandardCharsets.UTF_8)
                                .replace(root.toAbsolutePath().toString(), ROOT_PLACEHOLDER);
                        Files.writeString(target, text, StandardCharsets.UTF_8);
                        written.add(target);
                    } else {
                        Files.copy(p, target);
                        written.add(target);
                    }
                }
            }
        }
        System.out.println("stream-restart fixture: " + written.size() + " files in " + out);
        deleteTree(root);
        System.exit(0);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
