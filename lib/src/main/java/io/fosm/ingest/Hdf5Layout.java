package io.fosm.ingest;

/**
 * A reader of one HDF5 layout. {@link DasReaders} opens an HDF5 file once and asks every such reader about the same
 * open file (instead of each opening it again in {@link DasReader#accepts}), then hands it to the one that accepts.
 */
interface Hdf5Layout {

    /** True when the open file has this reader's layout. */
    boolean accepts(Hdf5Source h) throws DasFileException;

    /** Reads the open file; takes ownership of {@code h} (closes it on failure, the recording closes it later). */
    DasRecording open(Hdf5Source h) throws DasFileException;
}
