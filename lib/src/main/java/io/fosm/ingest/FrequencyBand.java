package io.fosm.ingest;

/** One vendor-computed frequency band of a band-energy file, in Hz as the file declares it. */
public record FrequencyBand(double lowHz, double highHz) {
}
