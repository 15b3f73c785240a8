package io.fosm.kafka;

import io.fosm.ingest.DasFileException;
import io.fosm.ingest.DasFileInfo;
import io.fosm.ingest.DasReaders;
import io.fosm.ingest.DasRecording;
import io.fosm.lakehouse.RecordingChunker;
import io.fosm.lakehouse.RecordingPlan;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code fosm replay --from FILE...}: sends real interrogator recordings (any format {@link DasReaders} reads) to
 * Kafka as fosm chunk records (key {@code <fiber>/<channel>}), paced at the recording's own rate, so
 * {@code fosm stream} scores a real fiber live. The files are joined as bronze joins them ({@link RecordingPlan}:
 * overlaps trimmed, gaps kept, each reported) and cut into chunks of {@code --chunk-seconds} ({@link RecordingChunker}).
 * Channels keep the file's numbering (its start channel plus the index); samples are the stored values.
 *
 * <p>Memory: one file's samples (all channels) at a time.
 */
public final class FileReplay {
    private FileReplay() {}

    static final String USAGE = String.join("\n",
            "Usage: fosm replay --from FILE[,FILE...] --fiber-id ID [options]",
            "Sends real interrogator recordings (PRODML, TDMS, Terra15, Febus, AP Sensing, OptoDAS, SEG-Y) to Kafka as",
            "chunk records at the recording's own rate (docs/kafka.md).",
            "  --from FILES           local files, comma-separated or the option repeated  (required)",
            "  --fiber-id ID          the fosm fiber the recording belongs to              (required)",
            "  --bootstrap HOST:PORT  Kafka bootstrap servers                              (127.0.0.1:9092)",
            "  --topic NAME           topic; created when missing                          (fosm-chunks)",
            "  --partitions N         partitions of a topic the replay creates             (2)",
            "  --speed X              real-time factor; 0 sends as fast as possible        (1)",
            "  --start now|file       'now' shifts the recording to start now (live); 'file' keeps its times (now)",
            "  --chunk-seconds S      chunk length (record.chunk_seconds of the stream)    (1)");

    /** Parsed options. */
    record Options(List<Path> files, String fiberId, String bootstrap, String topic, int partitions, double speed,
                   boolean live, double chunkSeconds) {}

    /** Whether the command line asks for a file replay. */
    public static boolean wanted(String[] args) {
        for (String a : args) {
            if (a.equals("--from") || a.startsWith("--from=")) {
                return true;
            }
        }
        return false;
    }

    static Options parse(String[] args) {
        List<Path> files = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String fiber = null;
        String bootstrap = ReplayOptions.DEFAULT_BOOTSTRAP;
        String topic = ReplayOptions.DEFAULT_TOPIC;
        int partitions = 2;
        double speed = 1;
        boolean live = true;
        double chunk = 1;
        for (io.fosm.generate.GenerateCommand.Option o : io.fosm.generate.GenerateCommand.options(args)) {
            if (!o.name().equals("--from") && !seen.add(o.name())) {
                throw new IllegalArgumentException("Cannot parse " + o.name() + ": given more than once");
            }
            switch (o.name()) {
                case "--from" -> {
                    for (String f : o.nonEmpty().split(",")) {
                        Path p = Path.of(f.trim());
                        if (!Files.isRegularFile(p)) {
                            throw new IllegalArgumentException("Cannot parse --from: " + p + " is not a readable file");
                        }
                        files.add(p);
                    }
                }
                case "--fiber-id" -> fiber = o.nonEmpty();
                case "--bootstrap" -> bootstrap = o.nonEmpty();
                case "--topic" -> topic = o.nonEmpty();
                case "--partitions" -> partitions = o.positiveInt();
                case "--speed" -> speed = o.number("a number >= 0 (0 = as fast as possible)", d -> d >= 0);
                case "--chunk-seconds" -> chunk = o.number("a number of seconds > 0", d -> d > 0);
                case "--start" -> {
                    String v = o.nonEmpty().trim();
                    if (!v.equals("now") && !v.equals("file")) {
                        throw o.bad("now or file");
                    }
                    live = v.equals("now");
                }
                default -> throw new IllegalArgumentException("Cannot parse " + o.name()
                        + ": not an option of fosm replay --from (see fosm replay --help)");
            }
        }
        if (fiber == null) {
            throw new IllegalArgumentException("Cannot parse arguments: --fiber-id is required with --from");
        }
        return new Options(List.copyOf(files), fiber, bootstrap, topic, partitions, speed, live, chunk);
    }

    /** Parses, replays and reports; returns the exit code (0 ok, 2 bad arguments, 3 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            long sent = replay(o, out);
            out.printf("replay: done, %d messages to %s%n", sent, o.topic());
            return 0;
        } catch (DasFileException e) {
            err.println("Cannot replay: " + e.getMessage() + " (reason " + e.reason().code() + ")");
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("Cannot finish the replay into " + o.topic() + ": interrupted");
            return 3;
        } catch (Exception e) {
            err.println("Cannot replay into " + o.topic() + " at " + o.bootstrap() + ": " + e.getMessage());
            return 3;
        }
    }

    /** Sends the recordings; returns the messages sent. */
    static long replay(Options o, PrintStream out) throws Exception {
        Map<String, DasFileInfo> infos = new HashMap<>();
        List<RecordingPlan.FileMeta> metas = new ArrayList<>();
        for (Path f : o.files()) {
            try (DasRecording r = DasReaders.open(f)) {
                infos.put(f.toString(), r.info());
                metas.add(new RecordingPlan.FileMeta(f.toString(), o.fiberId(), r.info()));
            }
        }
        RecordingPlan plan = RecordingPlan.plan(metas);
        plan.boundaries().forEach((file, b) -> {
            if (!b.kind().equals(RecordingPlan.FIRST) && !b.kind().equals(RecordingPlan.CONTINUOUS)) {
                out.printf("replay: boundary %s: %s of %.6f s after %s (%d samples trimmed)%n", file, b.kind(),
                        b.deltaMicros() / 1e6, b.previousFile(), b.trimmedSamples());
            }
        });
        ensureTopic(o);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fosm-replay-file-" + o.fiberId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        long sent = 0;
        long firstStart = plan.runs().stream().mapToLong(RecordingPlan.Run::startMicros).min().orElse(0);
        // live: the recording is shifted so its first sample is the next whole second
        long shift = o.live() ? (System.currentTimeMillis() / 1000 + 1) * 1_000_000L - firstStart : 0;
        long anchorNanos = System.nanoTime() + (o.live() ? (firstStart + shift) * 1000L - System.currentTimeMillis() * 1_000_000L : 0);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (RecordingPlan.Run run : plan.runs()) {
                int chunkSamples = (int) Math.max(1, Math.round(o.chunkSeconds() * run.sampleRate()));
                DasFileInfo first = infos.get(run.pieces().get(0).path());
                String interrogator = first.vendor() + " " + first.format() + " " + first.formatVersion();
                RecordingChunker chunker = new RecordingChunker(run, 0, run.channels(), chunkSamples, (path, from, count) -> {
                    try (DasRecording r = DasReaders.open(Path.of(path))) {
                        return new RecordingChunker.Block(r.readChannels(from, count), r.info().timeSamples());
                    }
                });
                while (chunker.advance()) {
                    long start = RecordingPlan.sampleMicros(run.startMicros(), chunker.chunkIndex() * chunkSamples,
                            run.sampleRate()) + shift;
                    int samples = chunker.samples(0).length;
                    if (o.speed() > 0) {
                        // a chunk goes out when its last sample would have been recorded
                        long endMicros = start + Math.round(samples * 1e6 / run.sampleRate());
                        long due = anchorNanos + (long) ((endMicros - firstStart - shift) * 1000 / o.speed());
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                    for (int c = 0; c < run.channels(); c++) {
                        int channel = run.startChannel() + c;
                        ChunkRecord record = new ChunkRecord(o.fiberId(), channel, start, run.sampleRate(),
                                chunker.samples(c), interrogator, io.fosm.dsp.WindowStitcher.sampleIndex(start,
                                run.sampleRate()));
                        producer.send(new ProducerRecord<>(o.topic(), Replay.key(o.fiberId(), channel),
                                ChunkCodec.encode(record)));
                        sent++;
                    }
                }
                if (!chunker.inexact().isEmpty()) {
                    out.println("replay: int32 values beyond 2^24 rounded to float: " + chunker.inexact());
                }
            }
            producer.flush();
        }
        return sent;
    }

    private static void ensureTopic(Options o) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(p)) {
            if (!admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(o.topic())) {
                try {
                    admin.createTopics(List.of(new NewTopic(o.topic(), o.partitions(), (short) 1))).all()
                            .get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }
}
