package io.fosm.streaming;

import java.io.Serializable;

/** One decoded and validated chunk record of the stream (or the failure to decode one), the input of stitching. */
public final class ChunkInput implements Serializable {
    private static final long serialVersionUID = 1L;

    private String key;
    private String fiberId;
    private Integer channel;
    private Long chunkStartMicros;
    private Double sampleRate;
    private float[] samples;
    private String interrogatorId;
    private Long seq;
    private String reason;
    private String detail;
    private byte[] payload;
    private String source;
    private String kafkaTopic;
    private Integer kafkaPartition;
    private Long kafkaOffset;

    public ChunkInput() {}

    /** Grouping key of the stitching state: fiber and channel, or a spread key for dead letters. */
    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
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

    public Long getChunkStartMicros() {
        return chunkStartMicros;
    }

    public void setChunkStartMicros(Long chunkStartMicros) {
        this.chunkStartMicros = chunkStartMicros;
    }

    public Double getSampleRate() {
        return sampleRate;
    }

    public void setSampleRate(Double sampleRate) {
        this.sampleRate = sampleRate;
    }

    public float[] getSamples() {
        return samples;
    }

    public void setSamples(float[] samples) {
        this.samples = samples;
    }

    public String getInterrogatorId() {
        return interrogatorId;
    }

    public void setInterrogatorId(String interrogatorId) {
        this.interrogatorId = interrogatorId;
    }

    public Long getSeq() {
        return seq;
    }

    public void setSeq(Long seq) {
        this.seq = seq;
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


}
