package io.fosm.ingest;

/**
 * A decoded DAS recording (time x channel). Samples are read per block of channels so a big file need not be in
 * memory at once. Not thread-safe; close it when done.
 */
public interface DasRecording extends AutoCloseable {

    /** What the file declares about itself. */
    DasFileInfo info();

    /**
     * Channels {@code [from, from + count)} over all time samples, channel-major: {@code out[c * timeSamples + t]},
     * stored values (exact: int16/int32 fit a double), not yet multiplied by {@link DasFileInfo#scale()}.
     *
     * @throws DasFileException when the data cannot be read (the reason says why)
     * @throws IllegalArgumentException when the channel range lies outside {@code [0, info().channels())}
     */
    double[] readChannels(int from, int count) throws DasFileException;

    @Override
    void close();
}
