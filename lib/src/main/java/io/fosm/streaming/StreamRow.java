package io.fosm.streaming;

import java.io.Serializable;

/**
 * What the stateful stages emit: a window with its features ({@code kind = window}) or a dead letter
 * ({@code kind = dead}).
 */
public final class StreamRow implements Serializable {
    private static final long serialVersionUID = 1L;

    private String kind;
    private String fiberId;
    private Integer channel;
    private Long windowStart;
    private double[] features;
    private Double spatial;
    private Long chunkStartMicros;
    private String reason;
    private String detail;
    private byte[] payload;
    private String source;
    private String kafkaTopic;
    private Integer kafkaPartition;
    private Long kafkaOffset;

    public StreamRow() {}

    /** {@link #WINDOW} or {@link #DEAD}. */
    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public String getFiberId() {
        return fiberId;
    }

    public void setFiberId(String fiberId) {
        this.fiberId = fiberId;
    }

    public Integer getChannel() {
        return channel;
    }

    public void setChannel(Integer channel) {
        this.channel = channel;
    }

    /** Global sample index of the window's first sample. */
    public Long getWindowStart() {
        return windowStart;
    }

    public void setWindowStart(Long windowStart) {
        this.windowStart = windowStart;
    }

    /** DSP features then the temporal context, in gold's order. */
    public double[] getFeatures() {
        return features;
    }

    public void setFeatures(double[] features) {
        this.features = features;
    }

    /** spatial_power_ratio_db, set by the fiber stage. */
    public Double getSpatial() {
        return spatial;
    }

    public void setSpatial(Double spatial) {
        this.spatial = spatial;
    }

    public Long getChunkStartMicros() {
        return chunkStartMicros;
    }

    public void setChunkStartMicros(Long chunkStartMicros) {
        this.chunkStartMicros = chunkStartMicros;
    }

    /** Null for a usable record, else the dead-letter reason. */
    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getDetail() {
        return detail;
    }

    public void setDetail(String detail) {
        this.detail = detail;
    }

    /** The raw single-record bytes (Kafka value or re-encoded record), or a whole undecodable file; null once valid. */
    public byte[] getPayload() {
        return payload;
    }

    public void setPayload(byte[] payload) {
        this.payload = payload;
    }

    /** The file path, or topic/partition/offset of the Kafka message. */
    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getKafkaTopic() {
        return kafkaTopic;
    }

    public void setKafkaTopic(String kafkaTopic) {
        this.kafkaTopic = kafkaTopic;
    }

    public Integer getKafkaPartition() {
        return kafkaPartition;
    }

    public void setKafkaPartition(Integer kafkaPartition) {
        this.kafkaPartition = kafkaPartition;
    }

    public Long getKafkaOffset() {
        return kafkaOffset;
    }

    public void setKafkaOffset(Long kafkaOffset) {
        this.kafkaOffset = kafkaOffset;
    }

    public static final String WINDOW = "window";
    public static final String DEAD = "dead";

    /** A dead letter for a chunk input (keeps its payload and origin). */
    static StreamRow dead(ChunkInput in, String reason, String detail) {
        StreamRow r = new StreamRow();
        r.kind = DEAD;
        r.fiberId = in.getFiberId();
        r.channel = in.getChannel();
        r.chunkStartMicros = in.getChunkStartMicros();
        r.reason = reason;
        r.detail = detail;
        r.payload = in.getPayload();
        r.source = in.getSource();
        r.kafkaTopic = in.getKafkaTopic();
        r.kafkaPartition = in.getKafkaPartition();
        r.kafkaOffset = in.getKafkaOffset();
        return r;
    }

    /** A window of a channel. */
    static StreamRow window(String fiberId, int channel, long windowStart, double[] features) {
        StreamRow r = new StreamRow();
        r.kind = WINDOW;
        r.fiberId = fiberId;
        r.channel = channel;
        r.windowStart = windowStart;
        r.features = features;
        return r;
    }

    boolean isWindow() {
        return WINDOW.equals(kind);
    }

}
