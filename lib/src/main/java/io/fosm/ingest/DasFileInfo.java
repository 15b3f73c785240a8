package io.fosm.ingest;

/**
 * What one DAS file declares about itself, read from its own metadata (never assumed). Each reader's javadoc says
 * which attribute each field comes from and what it falls back to when the file declares none.
 *
 * @param format               reader format name, e.g. "prodml", "silixa_tdms", "terra15", "febus", "ap_sensing",
 *                             "optodas", "segy", "fosf"
 * @param formatVersion        version as the file declares it, e.g. "2.1", "4713", "5", "2", "10", "8", "2.1"
 * @param vendor               e.g. "Silixa", "Terra15", "Febus", "AP Sensing", "ASN", or "unknown"
 * @param sampleRateHz         time samples per second
 * @param channelSpacingMetres distance between neighbouring channels; NaN when the file declares none
 * @param startChannel         index of the first channel on the fiber (e.g. PRODML StartLocusIndex)
 * @param startDistanceMetres  optical distance of the first channel; NaN if not declared
 * @param startTimeMicros      epoch microseconds UTC of the first sample
 * @param gaugeLengthMetres    gauge length; NaN when not declared
 * @param dataType             stored type: "int16", "int32", "float32", "float64", "ibm_float32"
 * @param scale                physical value = stored value * scale (1.0 when the file declares none)
 * @param unit                 physical unit after scale as declared, e.g. "strain rate", "m/s", "rad"; "count" if none
 * @param timeSamples          samples per channel in this file (after any overlap trimming)
 * @param channels             number of channels in this file
 */
public record DasFileInfo(
        String format,
        String formatVersion,
        String vendor,
        double sampleRateHz,
        double channelSpacingMetres,
        int startChannel,
        double startDistanceMetres,
        long startTimeMicros,
        double gaugeLengthMetres,
        String dataType,
        double scale,
        String unit,
        int timeSamples,
        int channels) {
}
