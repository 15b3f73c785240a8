package io.fosm.kafka;

import io.fosm.generate.GeneratorConfig;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that determines a {@link Replay}: the fiber to render, where to send it and how.
 *
 * @param generator   the synthetic fiber (channels, duration, start, seed, drift, ...); {@code output} is where the
 *                    ground-truth event log and the faults log go ({@code <output>/events/})
 * @param bootstrap   Kafka {@code bootstrap.servers}
 * @param topic       topic the chunk records go to; created with {@code partitions} partitions when missing
 * @param partitions  partitions of a topic the replay creates (an existing topic is used as it is)
 * @param speed       real-time factor: 1 sends each chunk when its last sample is due, 2 twice as fast, 0 unpaced
 * @param faultRate   fraction of messages to corrupt, 0..1
 * @param faults      the faults to draw from (uniformly)
 * @param lateSeconds how much event time a {@link MessageFault#LATE} message is held back
 * @param kafkaOptions further Kafka client settings of the producer and admin client (the stream's
 *                    {@code stream.kafka.option.*}: security protocol, SASL, TLS), e.g. {@code security.protocol}
 */
public record ReplayOptions(GeneratorConfig generator, String bootstrap, String topic, int partitions, double speed,
                            double faultRate, List<MessageFault> faults, double lateSeconds,
                            Map<String, String> kafkaOptions) {

    /** The chunk topic of the demo and the benchmark. */
    public static final String DEFAULT_TOPIC = "fosm-chunks";

    public ReplayOptions {
        Objects.requireNonNull(generator, "generator");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap must be host:port[,host:port...], cannot be: '"
                    + bootstrap + "'");
        }
        if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("topic must be 1 to 249 letters, digits, '.', '_' or '-', cannot be: '"
                    + topic + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, cannot be: " + partitions);
        }
        if (!(speed >= 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a finite number >= 0 (0 = unpaced), cannot be: " + speed);
        }
        if (!(faultRate >= 0 && faultRate <= 1)) {
            throw new IllegalArgumentException("faultRate must be within 0..1, cannot be: " + faultRate);
        }
        // one entry per fault, in declaration order, so equal option sets draw the same faults
        EnumSet<MessageFault> distinct = EnumSet.noneOf(MessageFault.class);
        distinct.addAll(Objects.requireNonNull(faults, "faults"));
        faults = List.copyOf(distinct);
        if (faultRate > 0 && faults.isEmpty()) {
            throw new IllegalArgumentException("faults must name at least one fault when faultRate > 0");
        }
        if (!(lateSeconds > 0) || Double.isInfinite(lateSeconds)) {
            throw new IllegalArgumentException("lateSeconds must be a finite number > 0, cannot be: " + lateSeconds);
        }
        kafkaOptions = Map.copyOf(Objects.requireNonNull(kafkaOptions, "kafkaOptions"));
    }

    /**
     * A builder with the defaults: {@value #DEFAULT_TOPIC}, 2 partitions, real time, no faults, no further Kafka
     * settings. The bootstrap servers have no default: the CLI takes them from {@code stream.kafka.bootstrap_servers}.
     */
    public static Builder builder(GeneratorConfig generator) {
        return new Builder(generator);
    }

    /** Samples per second of the fiber in real time (channels x sample rate). */
    public double realTimeSamplesPerSecond() {
        return generator.channels() * generator.sampleRate();
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final GeneratorConfig generator;
        private String bootstrap;
        private String topic = DEFAULT_TOPIC;
        private int partitions = 2;
        private double speed = 1.0;
        private double faultRate = 0;
        private List<MessageFault> faults = MessageFault.ALL;
        private double lateSeconds = 30;
        private Map<String, String> kafkaOptions = Map.of();

        private Builder(GeneratorConfig generator) {
            this.generator = generator;
        }

        public Builder bootstrap(String v) {
            bootstrap = v;
            return this;
        }

        public Builder topic(String v) {
            topic = v;
            return this;
        }

        public Builder partitions(int v) {
            partitions = v;
            return this;
        }

        /** Real-time factor; 0 sends as fast as the broker takes it. */
        public Builder speed(double v) {
            speed = v;
            return this;
        }

        public Builder faultRate(double v) {
            faultRate = v;
            return this;
        }

        public Builder faults(List<MessageFault> v) {
            faults = v;
            return this;
        }

        public Builder lateSeconds(double v) {
            lateSeconds = v;
            return this;
        }

        /** Further Kafka client settings (security protocol, SASL, TLS), applied before the replay's own. */
        public Builder kafkaOptions(Map<String, String> v) {
            kafkaOptions = v;
            return this;
        }

        public ReplayOptions build() {
            return new ReplayOptions(generator, bootstrap, topic, partitions, speed, faultRate, faults, lateSeconds,
                    kafkaOptions);
        }
    }
}
