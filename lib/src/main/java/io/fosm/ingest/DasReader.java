package io.fosm.ingest;

import java.nio.file.Path;

/** One DAS file format = one class; {@link DasReaders} holds the registry. */
public interface DasReader {

    /** The format name this reader puts into {@link DasFileInfo#format()}. */
    String format();

    /** True when the content (magic bytes, HDF5 structure/attributes), not the file name, says this format. Never throws. */
    boolean accepts(Path file);

    /** Opens the file; every failure is a {@link DasFileException} with a named reason. */
    DasRecording open(Path file) throws DasFileException;
}
