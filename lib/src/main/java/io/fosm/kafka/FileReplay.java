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

    /** What to replay and where: the files, the fiber, the broker and topic (with the Kafka client options of the
     *  configuration), pacing and chunk length. Built by {@link ReplayCommand} from {@code fosm replay --from}. */
    record Options(List<Path> files, String fiberId, String bootstrap, String topic, int partitions, double speed,
                   boolean live, double chunkSeconds, Map<String, String> kafkaOptions) {}

    /** Replays and reports; returns the exit code ({@link io.fosm.cli.ExitCode}: 0 done; failures are thrown). */
    static int run(Options o, java.io.PrintWriter out) throws InterruptedException {
        try {
            long sent = replay(o, out);
            out.printf("replay: done, %d messages to %s%n", sent, o.topic());
            out.flush();
            return 0;
        } catch (DasFileException e) {
            throw new IllegalStateException("Cannot replay: " + e.getMessage() + " (reason " + e.reason().code() + ")", e);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot replay into " + o.topic() + " at " + o.bootstrap() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Sends the recordings; returns the messages sent. */
    static long replay(Options o, java.io.PrintWriter out) throws Exception {
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
        p.putAll(o.kafkaOptions());
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
        p.putAll(o.kafkaOptions());
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
