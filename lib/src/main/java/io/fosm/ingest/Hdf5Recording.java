package io.fosm.ingest;

/** A recording backed by one open HDF5 file and one 2-D time x channel dataset. */
final class Hdf5Recording implements DasRecording {

    private final DasFileInfo info;
    private final Hdf5Source source;
    private final Hdf5Matrix matrix;

    Hdf5Recording(DasFileInfo info, Hdf5Source source, Hdf5Matrix matrix) {
        this.info = info;
        this.source = source;
        this.matrix = matrix;
    }

    @Override
    public DasFileInfo info() {
        return info;
    }

    @Override
    public double[] readChannels(int from, int count) throws DasFileException {
        return matrix.readChannels(from, count);
    }

    @Override
    public void close() {
        source.close();
    }
}
