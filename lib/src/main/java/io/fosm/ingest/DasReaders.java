package io.fosm.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The registry of DAS file readers and the single entry point: the format is detected from the content (never the
 * file name), then the matching reader opens the file.
 */
public final class DasReaders {

    private static final List<DasReader> READERS = List.of(new FosfReader(), new SilixaTdmsReader(),
            new ProdmlReader(), new Terra15Reader(), new FebusReader(), new ApSensingReader(), new OptoDasReader(),
            // SEG-Y has no magic bytes, only a plausible binary header: tried last
            new SegyReader());
    private static final ProdmlBandEnergyReader BAND_ENERGY = new ProdmlBandEnergyReader();

    private DasReaders() {
    }

    /** Every registered reader, in detection order. */
    public static List<DasReader> all() {
        return READERS;
    }

    /** The reader whose {@link DasReader#accepts} says yes, or an UNKNOWN_FORMAT exception. */
    public static DasReader detect(Path file) throws DasFileException {
        Detection d = detection(file);
        if (d.hdf5 != null) {
            d.hdf5.close();
        }
        return d.reader;
    }

    /** Detects the format from the content and opens the file (an HDF5 file is opened once for both). */
    public static DasRecording open(Path file) throws DasFileException {
        Detection d = detection(file);
        if (d.hdf5 != null) {
            return ((Hdf5Layout) d.reader).open(d.hdf5);
        }
        return d.reader.open(file);
    }

    /** The accepting reader, and for an HDF5 layout the file it was recognised in, still open. */
    private record Detection(DasReader reader, Hdf5Source hdf5) {
    }

    private static Detection detection(Path file) throws DasFileException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new DasFileException(DasFileException.Reason.UNREADABLE, file.toString(),
                    "not a readable regular file");
        }
        boolean hdf5 = Hdf5Source.hasSignature(file);
        Hdf5Source probe = hdf5 ? Hdf5Source.probe(file) : null;
        try {
            for (DasReader reader : READERS) {
                if (reader instanceof Hdf5Layout layout) {
                    if (probe != null && layout.accepts(probe)) {
                        Detection found = new Detection(reader, probe);
                        probe = null; // handed over
                        return found;
                    }
                } else if (reader.accepts(file)) {
                    return new Detection(reader, null);
                }
            }
        } catch (DasFileException | RuntimeException e) {
            // a layout check that fails on a damaged file: the file is what it is, say why it cannot be read
            if (probe != null) {
                probe.close();
                probe = null;
            }
            if (e instanceof DasFileException d) {
                throw d;
            }
            throw Hdf5Source.failure(file.toString(), "cannot inspect the HDF5 structure", (RuntimeException) e);
        } finally {
            if (probe != null) {
                probe.close();
            }
        }
        if (BAND_ENERGY.accepts(file)) {
            throw new DasFileException(DasFileException.Reason.UNSUPPORTED_VERSION, file.toString(),
                    "a PRODML frequency-band-energy file holds vendor band powers, not raw samples: open it with "
                            + "DasReaders.openBandEnergy");
        }
        if (hdf5) {
            // an HDF5 file no reader recognised: say so, unless it cannot even be opened (cut off, broken)
            Hdf5Source.open(file).close();
            throw new DasFileException(DasFileException.Reason.UNKNOWN_FORMAT, file.toString(),
                    "an HDF5 file with none of the layouts of " + formats());
        }
        throw new DasFileException(DasFileException.Reason.UNKNOWN_FORMAT, file.toString(),
                "the content matches none of the formats " + formats());
    }

    /**
     * Opens a PRODML frequency-band-energy file ({@link DasReaders#open} refuses those with UNSUPPORTED_VERSION,
     * since they hold band powers, not raw samples).
     */
    public static BandEnergyRecording openBandEnergy(Path file) throws DasFileException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new DasFileException(DasFileException.Reason.UNREADABLE, file.toString(),
                    "not a readable regular file");
        }
        if (!BAND_ENERGY.accepts(file)) {
            throw new DasFileException(DasFileException.Reason.UNKNOWN_FORMAT, file.toString(),
                    "not a PRODML frequency-band-energy file (no Acquisition/Processed/Fbe[n] group)");
        }
        return BAND_ENERGY.open(file);
    }

    /** True when the file's content says PRODML frequency-band energy (for routing to its own table). Never throws. */
    public static boolean isBandEnergy(Path file) {
        return BAND_ENERGY.accepts(file);
    }

    private static List<String> formats() {
        return READERS.stream().map(DasReader::format).toList();
    }
}
