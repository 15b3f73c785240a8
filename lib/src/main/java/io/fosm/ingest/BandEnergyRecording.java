package io.fosm.ingest;

import java.util.List;

/**
 * A PRODML frequency-band-energy file: vendor-computed band powers per (band, time, locus), not raw samples. Its
 * {@link #info()} describes the time x locus grid of one band ({@code sampleRateHz} is the band-energy output rate;
 * {@code format} is "prodml_fbe").
 */
public interface BandEnergyRecording extends AutoCloseable {

    /** The time x locus grid shared by every band. */
    DasFileInfo info();

    /** The bands, in the file's order. */
    List<FrequencyBand> bands();

    /** Band {@code band}, channels {@code [from, from + count)}, channel-major: {@code out[c * timeSamples + t]}. */
    double[] readBand(int band, int from, int count) throws DasFileException;

    @Override
    void close();
}
