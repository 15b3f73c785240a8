package io.fosm.lakehouse;

import java.io.Serializable;

/**
 * A chunk as a Java bean for the DSP in {@code mapPartitions}: {@code samples} stays packed ({@link Samples#ENCODING}
 * bytes, one copy out of Spark's row, no per-sample work) until the task decodes it into its own reused buffer. Field names are the camelCase twins of the chunk columns.
 */
public final class ChunkBean implements Serializable {
    private String fiberId;
    private int channel;
    private long chunkStartMicros;
    private double sampleRate;
    private byte[] samples;

    /** The projection of a chunk table that this bean reads. */
    public static org.apache.spark.sql.Column[] projection() {
        return new org.apache.spark.sql.Column[] {
                org.apache.spark.sql.functions.col(Columns.FIBER_ID).as("fiberId"),
                org.apache.spark.sql.functions.col(Columns.CHANNEL).as("channel"),
                org.apache.spark.sql.functions.unix_micros(org.apache.spark.sql.functions.col(Columns.CHUNK_START))
                        .as("chunkStartMicros"),
                org.apache.spark.sql.functions.col(Columns.SAMPLE_RATE).as("sampleRate"),
                org.apache.spark.sql.functions.col(Columns.SAMPLES).as("samples")};
    }

    public String getFiberId() {
        return fiberId;
    }

    public void setFiberId(String fiberId) {
        this.fiberId = fiberId;
    }

    public int getChannel() {
        return channel;
    }

    public void setChannel(int channel) {
        this.channel = channel;
    }

    public long getChunkStartMicros() {
        return chunkStartMicros;
    }

    public void setChunkStartMicros(long chunkStartMicros) {
        this.chunkStartMicros = chunkStartMicros;
    }

    public double getSampleRate() {
        return sampleRate;
    }

    public void setSampleRate(double sampleRate) {
        this.sampleRate = sampleRate;
    }

    public byte[] getSamples() {
        return samples;
    }

    public void setSamples(byte[] samples) {
        this.samples = samples;
    }
}
