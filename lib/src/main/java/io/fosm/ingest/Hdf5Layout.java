package io.fosm.ingest;

/**
 * A reader of one HDF5 layout. {@link DasReaders} opens an HDF5 file once and asks every such reader about the same
 * open file (instead of each opening it again in {@link DasReader#accepts}), then hands it to the one that accepts.
 */
interface Hdf5Layout extends DasReader {

    /** Opens the file on its own (when not asked through {@link DasReaders}) and asks {@link #accepts(Hdf5Source)}. */
    @Override
    default boolean accepts(java.nio.file.Path file) {
        try (Hdf5Source h = Hdf5Source.probe(file)) {
            return h != null && accepts(h);
        } catch (DasFileException | RuntimeException e) {
            return false;
        }
    }

    @Override
    default DasRecording open(java.nio.file.Path file) throws DasFileException {
        return open(Hdf5Source.open(file));
    }

    /** True when the open file has this reader's layout. */
    boolean accepts(Hdf5Source h) throws DasFileException;

    /** Reads the open file; takes ownership of {@code h} (closes it on failure, the recording closes it later). */
    DasRecording open(Hdf5Source h) throws DasFileException;
}
