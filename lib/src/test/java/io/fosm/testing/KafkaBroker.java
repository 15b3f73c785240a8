package io.fosm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import scala.Option;

/**
 * A real single-node Apache Kafka 3.4.1 broker and controller in KRaft mode (no ZooKeeper), running inside the test
 * JVM on an ephemeral 127.0.0.1 port. Starts in about two seconds; one per test class is the intended use:
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start()) {
 *     kafka.createTopic("chunks", 2);
 *     ... "kafka.bootstrap.servers" = kafka.bootstrap() ...
 * }
 * }</pre>
 *
 * <p>Topics are not auto-created (a typo in a topic name must fail, not create an empty topic).
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private KafkaRaftServer server;
    private final Path dir;
    private final int port;
    private final Properties properties;
    private boolean closed;

    private KafkaBroker(KafkaRaftServer server, Path dir, int port, Properties properties) {
        this.server = server;
        this.dir = dir;
        this.port = port;
        this.properties = properties;
    }

    /**
     * Stops the broker and starts it again on the same ports and log folder (its topics, messages and committed
     * offsets kept), as an operator's rolling restart does; returns once it answers metadata requests again.
     */
    public synchronized void restart() {
        shutdownQuietly(server);
        server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM, Option.empty());
        server.startup();
        awaitReady();
    }

    /** Starts a broker with its log directory in a fresh folder under {@code java.io.tmpdir}. */
    public static KafkaBroker start() {
        try {
            Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            return start(Files.createTempDirectory(base, "kafka-"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a folder for the Kafka broker", e);
        }
    }

    /** Starts a broker keeping its data under {@code dir}, and waits until it answers metadata requests. */
    public static KafkaBroker start(Path dir) {
        Path logDir;
        try {
            logDir = Files.createDirectories(dir.resolve("kraft-logs"));
            // What `kafka-storage.sh format` writes. With no bootstrap checkpoint the metadata version follows
            // inter.broker.protocol.version below.
            Files.writeString(logDir.resolve("meta.properties"),
                    "version=1\ncluster.id=" + Uuid.randomUuid() + "\nnode.id=1\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the Kafka log folder under " + dir, e);
        }
        // Free-port probing has a small race with other processes; a failed bind is retried on fresh ports.
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int brokerPort = freePort();
            int controllerPort = freePort();
            Properties properties = brokerProperties(logDir, brokerPort, controllerPort);
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM,
                    Option.empty());
            try {
                server.startup();
            } catch (RuntimeException e) {
                last = e;
                shutdownQuietly(server);
                continue;
            }
            KafkaBroker broker = new KafkaBroker(server, dir, brokerPort, properties);
            broker.awaitReady();
            return broker;
        }
        throw new IllegalStateException("Cannot start the in-process Kafka broker after 3 attempts", last);
    }

    static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.protocol.version", "3.4");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "2");
        // single node: internal topics cannot have more than one replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "2");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "2");
        // consumer groups form at once instead of after the 3 s default delay
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // chunk records of big fibers exceed the 1 MB default
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", String.valueOf(16 * 1024 * 1024));
        return p;
    }

    /** {@code host:port} for {@code bootstrap.servers} / Spark's {@code kafka.bootstrap.servers}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The broker's data folder. */
    public Path dir() {
        return dir;
    }

    /** Creates a topic (replication factor 1) and waits until it has a leader for every partition. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with topic-level configs, e.g. {@code retention.ms}. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (true) {
                org.apache.kafka.clients.admin.TopicDescription desc;
                try {
                    desc = admin.describeTopics(List.of(name)).allTopicNames()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
                } catch (ExecutionException e) {
                    // created, but the broker's metadata cache does not list it yet (seen on a loaded machine)
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    desc = null;
                }
                if (desc != null && desc.partitions().size() == partitions
                        && desc.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot create topic " + name + ": no leader after "
                            + ADMIN_TIMEOUT);
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /** The topic names on the broker (internal topics excluded). */
    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing topics", e);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        return Admin.create(p);
    }

    /** A String-key, byte[]-value producer (acks=all) for this broker; the caller closes it. */
    public KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Reads every record currently in {@code topic} from the beginning (all partitions, no consumer group),
     * stopping once the end offsets seen at the call are reached.
     */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic, ADMIN_TIMEOUT)
                    .forEach(info -> parts.add(new TopicPartition(topic, info.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, ADMIN_TIMEOUT);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot read topic " + topic + " to its end " + end
                            + " within " + ADMIN_TIMEOUT + " (read " + out.size() + " records)");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    Collection<?> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Cannot reach the Kafka broker at " + bootstrap()
                                + " within " + ADMIN_TIMEOUT + ": " + e, e);
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
    }

    /** Stops the broker and waits until it has shut down; idempotent (same as {@link #close}). */
    public void stop() {
        close();
    }

    /** Stops the broker and waits until it has shut down; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            shutdownQuietly(server);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
        }
    }
}
