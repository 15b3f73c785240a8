package io.fosm.dsp;

/** Receives the windows cut by {@link WindowStitcher}. */
@FunctionalInterface
public interface WindowSink {

    /**
     * One window of exactly {@code windowSamples} samples at {@code buffer[offset ..]}, whose first sample has global
     * index {@code windowStartIndex}. The buffer is reused after this call returns: copy what must outlive it.
     */
    void accept(long windowStartIndex, double[] buffer, int offset);
}
