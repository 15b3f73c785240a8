package io.fosm.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.record.ChunkCodec;
import io.fosm.record.ChunkRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code fosm replay}: renders a synthetic fiber ({@link FiberSimulator}, so drift modes and events are the
 * generator's) and sends it to a Kafka topic as {@link ChunkCodec} single records keyed {@code <fiberId>/<channel>},
 * paced like a live interrogator: all channels of a chunk are sent when the chunk's last sample is due. A fraction of
 * the messages is corrupted ({@link MessageFault}); each corrupted message is logged with its partition and offset,
 * so a consumer's dead-letter table can be checked message by message.
 *
 * <p>Cost: rendering runs on the common fork-join pool one block ({@code fileSeconds}) ahead of sending; one
 * idempotent producer (acks=all) sends. Memory: two blocks of channels x fileSeconds samples.
 */
public final class Replay {
    /** Ground truth of the replayed fiber, under {@code <output>/events/}; matches gold's {@code *_events.jsonl}. */
    public static final String EVENT_LOG_SUFFIX = "_replay_events.jsonl";
    /** The faults log, under {@code <output>/events/}. */
    public static final String FAULT_LOG_SUFFIX = "_replay_faults.jsonl";

    private static final long YEAR_MICROS = 365L * 24 * 3600 * 1_000_000L;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration ACK_TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object END = new Object();

    private final ReplayOptions options;
    private final GeneratorConfig cfg;
    private final boolean live;
    private final Configuration hadoopConf;

    /**
     * @param live a live feed ({@code --start now}): the recording starts at the first whole second after the
     *             producer is connected (the generator's start is replaced), and the chunk starting at t is sent at
     *             t + chunkSeconds / speed, so event time and Kafka time agree. Otherwise the generator's start is
     *             kept and pacing starts when the first block is rendered.
     */
    public Replay(ReplayOptions options, boolean live, Configuration hadoopConf) {
        this.options = options;
        this.cfg = options.generator();
        this.live = live;
        this.hadoopConf = hadoopConf;
    }

    /** The message key of a channel: {@code <fiberId>/<channel>} (one channel, one partition, in order). */
    public static String key(String fiberId, int channel) {
        return fiberId + "/" + channel;
    }

    /** Renders and sends everything; progress lines go to {@code progress} every 10 s. */
    public ReplayResult run(PrintStream progress) throws IOException, InterruptedException {
        ensureTopic();
        FileSystem fs = new Path(cfg.output()).getFileSystem(hadoopConf);
        Path eventsDir = new Path(new Path(cfg.output()), "events");
        try (Sender sender = new Sender()) {
            // set-up (JVM, file system, broker connection) takes seconds: a live start chosen before it would make
            // the first chunks old on arrival
            GeneratorConfig timed = live ? cfg.toBuilder()
                    .startMicros((System.currentTimeMillis() / 1000 + 1) * 1_000_000L).build() : cfg;
            FiberSimulator simulator = new FiberSimulator(timed);
            String eventLog = writeJsonLines(fs, new Path(eventsDir, cfg.fiberId() + EVENT_LOG_SUFFIX),
                    simulator.events().stream().map(GroundTruthEvent::toJsonFields).toList());
            return send(sender, timed, simulator, progress, fs, eventsDir, eventLog);
        }
    }

    private ReplayResult send(Sender sender, GeneratorConfig timed, FiberSimulator simulator, PrintStream progress,
                              FileSystem fs, Path eventsDir, String eventLog) throws IOException, InterruptedException {

        BlockingQueue<Object> blocks = new ArrayBlockingQueue<>(2);
        Thread renderer = new Thread(() -> {
            try {
                simulator.forEachFile((index, block) -> put(blocks, block));
                put(blocks, END);
            } catch (CancellationException e) {
                // the sender stopped (failed or finished early): nobody reads the queue any more
            } catch (RuntimeException | Error e) {
                blocks.clear();
                blocks.offer(e);
            }
        }, "fosm-replay-render");
        renderer.setDaemon(true);
        renderer.start();
        try {
            long chunkMicros = Math.round(cfg.chunkSeconds() * 1e6);
            double nanosPerChunk = options.speed() > 0 ? cfg.chunkSeconds() * 1e9 / options.speed() : 0;
            long anchorNanos = Long.MIN_VALUE;
            long started = 0;
            long lastProgress = System.nanoTime();
            double maxBehind = 0;
            long records = 0;
            long samples = 0;
            long chunksSent = 0;
            while (true) {
                Object next = blocks.take();
                if (next == END) {
                    break;
                }
                if (next instanceof Throwable t) {
                    throw new IllegalStateException("Cannot render the fiber for replay: " + t, t);
                }
                @SuppressWarnings("unchecked")
                List<ChunkRecord> block = (List<ChunkRecord>) next;
                if (anchorNanos == Long.MIN_VALUE) {
                    started = System.nanoTime();
                    // nanoTime of the event-time start: the generator's start itself when live, else now
                    anchorNanos = live ? started - (System.currentTimeMillis() * 1000L - timed.startMicros()) * 1000L
                            : started;
                }
                for (int from = 0; from < block.size(); from += cfg.channels()) {
                    List<ChunkRecord> chunk = block.subList(from, Math.min(block.size(), from + cfg.channels()));
                    long j = (chunk.get(0).chunkStartMicros() - timed.startMicros()) / chunkMicros;
                    if (nanosPerChunk > 0) {
                        long due = anchorNanos + (long) ((j + 1) * nanosPerChunk);
                        maxBehind = Math.max(maxBehind, waitUntil(due) / 1e9);
                    }
                    for (ChunkRecord r : chunk) {
                        sender.offer(r, j);
                        records++;
                        samples += r.sampleCount();
                    }
                    sender.release(j);
                    sender.checkErrors();
                    chunksSent = j + 1;
                    long now = System.nanoTime();
                    if (progress != null && now - lastProgress >= PROGRESS_NANOS) {
                        lastProgress = now;
                        double s = (now - started) / 1e9;
                        progress.printf("replay: %.0f s of event time, %d messages, %.3f M samples/s, %.2f s behind"
                                        + " schedule at most%n", chunksSent * cfg.chunkSeconds(), sender.messages,
                                samples / s / 1e6, maxBehind);
                    }
                }
            }
            sender.releaseAll();
            sender.flush();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            List<ReplayFault> faults = sender.resolveFaults();
            Map<MessageFault, Integer> byType = new EnumMap<>(MessageFault.class);
            faults.forEach(f -> byType.merge(f.fault(), 1, Integer::sum));
            String faultLog = faults.isEmpty() ? null : writeJsonLines(fs,
                    new Path(eventsDir, cfg.fiberId() + FAULT_LOG_SUFFIX),
                    faults.stream().map(ReplayFault::toJsonFields).toList());
            return new ReplayResult(options.topic(), timed.startMicros(), sender.messages, records, samples,
                    sender.bytes, chunksSent * cfg.chunkSeconds(), faults, byType, maxBehind, elapsed, eventLog, faultLog);
        } finally {
            renderer.interrupt();
        }
    }

    /** Sleeps until {@code due} (nanoTime); returns how late we already were, in nanoseconds (0 when on time). */
    private static long waitUntil(long due) throws InterruptedException {
        long now;
        while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
            if (Thread.interrupted()) {
                throw new InterruptedException("replay interrupted");
            }
        }
        return now - due;
    }

    private static void put(BlockingQueue<Object> q, Object o) {
        try {
            q.put(o);
        } catch (InterruptedException e) {
            throw new CancellationException("replay rendering cancelled");
        }
    }

    private void ensureTopic() throws InterruptedException {
        Properties p = new Properties();
        p.putAll(options.kafkaOptions());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(p)) {
            if (admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(options.topic())) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(options.topic(), options.partitions(), (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof org.apache.kafka.common.errors.TopicExistsException) {
                return;
            }
            throw new IllegalStateException("Cannot reach Kafka at " + options.bootstrap() + " to check topic "
                    + options.topic() + ": " + cause, e);
        }
    }

    private static String writeJsonLines(FileSystem fs, Path target, List<Map<String, Object>> lines)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> line : lines) {
            try {
                sb.append(JSON.writeValueAsString(line)).append('\n');
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
            }
        }
        if (!fs.mkdirs(target.getParent())) {
            throw new IOException("Cannot create folder " + target.getParent());
        }
        // hidden temp name, then rename: a reader globbing *_events.jsonl never sees half a file
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("Cannot replace " + target + ": delete failed");
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("Cannot publish " + target + ": rename from " + tmp + " failed");
        }
        return fs.makeQualified(target).toString();
    }

    /** The producer side: fault injection, held-back messages, send bookkeeping. */
    private final class Sender implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final SplittableRandom rng;
        private final List<MessageFault> faults = options.faults();
        private final long lateChunks = Math.max(1, (long) Math.ceil(options.lateSeconds() / cfg.chunkSeconds()));
        private final PriorityQueue<Held> held = new PriorityQueue<>();
        private final List<Pending> pending = new ArrayList<>();
        private final AtomicReference<Exception> sendError = new AtomicReference<>();
        private long messages;
        private long bytes;
        private long heldCount;

        Sender() {
            Properties p = new Properties();
            // the cluster's security settings (stream.kafka.option.*) first; the replay's own settings below win
            p.putAll(options.kafkaOptions());
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "fosm-replay-" + cfg.fiberId());
            // idempotent: a retried batch is not written twice, so the only duplicates are the injected ones
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            // a chunk of all channels goes out at once: let it fill large batches instead of one request per record
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
            // float32 noise does not compress: compression would cost CPU for nothing
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            rng = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + 0x5EED_4AF4AL);
        }

        /** Sends one clean record, or its corrupted form, or holds it back. */
        void offer(ChunkRecord r, long chunk) {
            if (options.faultRate() <= 0 || rng.nextDouble() >= options.faultRate()) {
                send(r, ChunkCodec.encode(r), null);
                return;
            }
            MessageFault fault = faults.get(rng.nextInt(faults.size()));
            float[] s = r.samples();
            switch (fault) {
                case GARBAGE -> {
                    byte[] b = new byte[8 + rng.nextInt(249)];
                    rng.nextBytes(b);
                    // a lower-case first byte can never be the 'F' of the record magic
                    b[0] = (byte) ('a' + rng.nextInt(26));
                    send(r, key(r), b, fault);
                }
                case TRUNCATED -> {
                    byte[] b = ChunkCodec.encode(r);
                    send(r, key(r), Arrays.copyOf(b, b.length / 2), fault);
                }
                case BAD_VERSION -> {
                    byte[] b = ChunkCodec.encode(r);
                    // byte 4 is the version, right after the 4-byte magic (docs/data-contracts-landing.md)
                    b[4] = (byte) (ChunkCodec.VERSION + 8);
                    send(r, key(r), b, fault);
                }
                case NAN_SAMPLES -> {
                    float[] bad = s.clone();
                    int len = 1 + rng.nextInt(Math.max(1, Math.min(50, bad.length)));
                    int at = rng.nextInt(Math.max(1, bad.length - len + 1));
                    Arrays.fill(bad, at, Math.min(bad.length, at + len), Float.NaN);
                    sendRecord(r, r.withSamples(bad), fault);
                }
                case WRONG_SAMPLE_COUNT -> sendRecord(r, r.withSamples(Arrays.copyOf(s, rng.nextInt(s.length))),
                        fault);
                case UNKNOWN_CHANNEL -> sendRecord(r, r.withChannel(rng.nextBoolean()
                        ? cfg.channels() + rng.nextInt(1000) : -1 - rng.nextInt(1000)), fault);
                case UNKNOWN_FIBER -> sendRecord(r, new ChunkRecord(r.fiberId() + "-unregistered", r.channel(),
                        r.chunkStartMicros(), r.sampleRate(), s, r.interrogatorId(), r.seq()), fault);
                case FUTURE_TIMESTAMP -> sendRecord(r, r.withChunkStartMicros(r.chunkStartMicros()
                        + YEAR_MICROS * (1 + rng.nextInt(10))), fault);
                case DUPLICATE -> {
                    byte[] b = ChunkCodec.encode(r);
                    send(r, b, null);
                    send(r, key(r), b, fault);
                }
                case OUT_OF_ORDER -> held.add(new Held(chunk + 1, heldCount++, r, fault));
                case LATE -> held.add(new Held(chunk + lateChunks, heldCount++, r, fault));
                default -> throw new IllegalStateException("Cannot inject " + fault);
            }
        }

        /** Sends the held-back records due after chunk {@code chunk}. */
        void release(long chunk) {
            while (!held.isEmpty() && held.peek().releaseAfter <= chunk) {
                Held h = held.poll();
                send(h.record, key(h.record), ChunkCodec.encode(h.record), h.fault);
            }
        }

        /** At the end of the recording every held record goes out, late as it is. */
        void releaseAll() {
            release(Long.MAX_VALUE);
        }

        private void sendRecord(ChunkRecord original, ChunkRecord sent, MessageFault fault) {
            send(original, key(sent), ChunkCodec.encode(sent), fault);
        }

        private void send(ChunkRecord r, byte[] value, MessageFault fault) {
            send(r, key(r), value, fault);
        }

        private void send(ChunkRecord original, String key, byte[] value, MessageFault fault) {
            Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(options.topic(), key, value),
                    (md, e) -> {
                        if (e != null) {
                            sendError.compareAndSet(null, e);
                        }
                    });
            messages++;
            bytes += value.length;
            if (fault != null) {
                pending.add(new Pending(fault, key, original, ack));
            }
        }

        void checkErrors() {
            Exception e = sendError.get();
            if (e != null) {
                throw new IllegalStateException("Cannot replay into topic " + options.topic() + " at "
                        + options.bootstrap() + ": a send failed: " + e, e);
            }
        }

        void flush() {
            producer.flush();
            checkErrors();
        }

        List<ReplayFault> resolveFaults() throws InterruptedException {
            List<ReplayFault> out = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                RecordMetadata md;
                try {
                    md = p.ack.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("Cannot replay into topic " + options.topic()
                            + ": no acknowledgement for the " + p.fault.label() + " message of " + p.key + ": " + e, e);
                }
                ChunkRecord r = p.original;
                out.add(new ReplayFault(p.fault, md.topic(), md.partition(), md.offset(), p.key, r.fiberId(),
                        r.channel(), r.chunkStartMicros(), r.seq()));
            }
            return out;
        }

        private String key(ChunkRecord r) {
            return Replay.key(r.fiberId(), r.channel());
        }

        @Override
        public void close() {
            producer.close(ACK_TIMEOUT);
        }
    }

    private record Pending(MessageFault fault, String key, ChunkRecord original, Future<RecordMetadata> ack) {
    }

    private record Held(long releaseAfter, long order, ChunkRecord record, MessageFault fault)
            implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            return releaseAfter != o.releaseAfter ? Long.compare(releaseAfter, o.releaseAfter)
                    : Long.compare(order, o.order);
        }
    }
}
