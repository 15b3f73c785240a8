package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Dataset;
import io.jhdf.checksum.ChecksumUtils;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.OrderedDataType;
import io.jhdf.object.message.DataLayoutMessage.ChunkedDataLayoutMessageV4;
import io.jhdf.object.message.DataSpaceMessage;
import io.jhdf.storage.HdfBackingStorage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads a chunked HDF5 dataset whose chunks are indexed by a paged fixed array (layout message v4, index type 3)
 * itself, for files jhdf 0.11.0 cannot read: jhdf checks the checksum of every page of the fixed-array data block,
 * but the HDF5 library writes only the pages its page bitmap marks as initialised (Terra15 allocates datasets with
 * 11.6 million rows and fills a few: page 1 onwards is never written and reads as checksum 0). This reader follows
 * the HDF5 file format specification (section "Fixed Array Data Block"): header "FAHD", data block "FADB" with its
 * page bitmap (most significant bit first), one checksum per initialised page; chunk addresses are linear indexes
 * over the chunk grid of the dataset's maximum dimensions; an undefined address is an unwritten chunk (fill value 0).
 * Only unfiltered datasets are supported (UNSUPPORTED_VERSION otherwise). Every checksum is verified.
 */
final class FixedArrayChunks {

    private static final long UNDEFINED = -1L;

    private FixedArrayChunks() {
    }

    /** The whole dataset, row-major (last dimension fastest), as doubles. */
    static double[] readAll(Hdf5Source h, Dataset d, String path) throws DasFileException {
        return h.call("read " + path + " through its fixed-array chunk index", () -> read(h, d, path));
    }

    private static double[] read(Hdf5Source h, Dataset d, String path) throws DasFileException {
        h.checkAllocation(d, path);
        if (!d.getFilters().isEmpty()) {
            throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, path + " is compressed and jhdf cannot "
                    + "read its chunk index");
        }
        HdfBackingStorage storage = h.hdf.getHdfBackingStorage();
        ObjectHeader header = ObjectHeader.readObjectHeader(storage, d.getAddress());
        ChunkedDataLayoutMessageV4 layout = header.getMessageOfType(ChunkedDataLayoutMessageV4.class);
        if (layout.getIndexingType() != 3) {
            throw new DasFileException(Reason.CORRUPT, h.file, path + " uses chunk index type "
                    + layout.getIndexingType() + ", expected a fixed array (3)");
        }
        int[] dims = d.getDimensions();
        int[] chunk = Arrays.copyOf(layout.getChunkDimensions(), dims.length);
        long[] max = header.getMessageOfType(DataSpaceMessage.class).getDataSpace().getMaxSizes();
        DataType type = d.getDataType();
        int elementSize = type.getSize();
        long[] gridMax = new long[dims.length];
        long[] grid = new long[dims.length];
        long chunkElements = 1;
        for (int i = 0; i < dims.length; i++) {
            if (chunk[i] <= 0) {
                throw new DasFileException(Reason.CORRUPT, h.file, path + " has chunk dimension " + chunk[i]);
            }
            long m = max == null || i >= max.length || max[i] < dims[i] ? dims[i] : max[i];
            gridMax[i] = (m + chunk[i] - 1) / chunk[i];
            grid[i] = (dims[i] + chunk[i] - 1L) / chunk[i];
            chunkElements = Math.multiplyExact(chunkElements, chunk[i]);
        }
        long chunkBytes = Math.multiplyExact(chunkElements, elementSize);
        if (chunkBytes > h.fileSize) {
            throw new DasFileException(Reason.CORRUPT, h.file, path + " declares chunks of " + chunkBytes
                    + " bytes, more than the file's " + h.fileSize);
        }
        long[] addresses = chunkAddresses(h, storage, layout.getAddress(), path);
        long elements = 1;
        for (int n : dims) {
            elements = Math.multiplyExact(elements, n);
        }
        double[] out = new double[Math.toIntExact(elements)];
        ByteOrder order = type instanceof OrderedDataType o ? o.getByteOrder() : ByteOrder.LITTLE_ENDIAN;
        int[] scaled = new int[dims.length];
        long chunks = 1;
        for (long g : grid) {
            chunks = Math.multiplyExact(chunks, g);
        }
        for (long k = 0; k < chunks; k++) {
            // scaled chunk coordinates of the k-th chunk of the current extent, and its linear index in the max grid
            long rest = k;
            for (int i = dims.length - 1; i >= 0; i--) {
                scaled[i] = (int) (rest % grid[i]);
                rest /= grid[i];
            }
            long linear = 0;
            for (int i = 0; i < dims.length; i++) {
                linear = linear * gridMax[i] + scaled[i];
            }
            if (linear >= addresses.length) {
                throw new DasFileException(Reason.CORRUPT, h.file, path + " needs chunk " + linear
                        + ", its index holds " + addresses.length);
            }
            long address = addresses[(int) linear];
            if (address == UNDEFINED) {
                continue; // never written: the fill value, 0
            }
            if (address < 0 || address + chunkBytes > h.fileSize) {
                throw new DasFileException(Reason.TRUNCATED, h.file, path + " chunk " + linear + " lies at bytes "
                        + address + "+" + chunkBytes + ", beyond the file's " + h.fileSize);
            }
            ByteBuffer b = storage.readBufferFromAddress(address, (int) chunkBytes).order(order);
            copyChunk(b, type, elementSize, out, dims, chunk, scaled, h, path);
        }
        return out;
    }

    private static void copyChunk(ByteBuffer b, DataType type, int size, double[] out, int[] dims, int[] chunk,
                                  int[] scaled, Hdf5Source h, String path) throws DasFileException {
        int n = dims.length;
        int[] pos = new int[n];
        long chunkElements = b.capacity() / size;
        for (long e = 0; e < chunkElements; e++) {
            long rest = e;
            boolean inside = true;
            for (int i = n - 1; i >= 0; i--) {
                pos[i] = (int) (rest % chunk[i]) + scaled[i] * chunk[i];
                rest /= chunk[i];
                inside &= pos[i] < dims[i];
            }
            if (!inside) {
                continue;
            }
            long index = 0;
            for (int i = 0; i < n; i++) {
                index = index * dims[i] + pos[i];
            }
            out[(int) index] = value(b, (int) (e * size), type, size, h, path);
        }
    }

    private static double value(ByteBuffer b, int at, DataType type, int size, Hdf5Source h, String path)
            throws DasFileException {
        if (type instanceof FloatingPoint) {
            if (size == 4) {
                return b.getFloat(at);
            }
            if (size == 8) {
                return b.getDouble(at);
            }
        } else if (type instanceof FixedPoint fp) {
            boolean signed = fp.isSigned();
            switch (size) {
                case 1:
                    return signed ? b.get(at) : b.get(at) & 0xFF;
                case 2:
                    return signed ? b.getShort(at) : b.getShort(at) & 0xFFFF;
                case 4:
                    return signed ? b.getInt(at) : b.getInt(at) & 0xFFFFFFFFL;
                case 8:
                    return b.getLong(at);
                default:
                    break;
            }
        }
        throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, path + " stores "
                + type.getClass().getSimpleName() + " of " + size + " bytes");
    }

    /** The chunk addresses of a fixed-array index (UNDEFINED for unwritten chunks and uninitialised pages). */
    private static long[] chunkAddresses(Hdf5Source h, HdfBackingStorage storage, long address, String path)
            throws DasFileException {
        int offsets = storage.getSizeOfOffsets();
        int lengths = storage.getSizeOfLengths();
        int headerSize = 12 + offsets + lengths;
        ByteBuffer fa = region(h, storage, address, headerSize, path);
        if (fa.get(0) != 'F' || fa.get(1) != 'A' || fa.get(2) != 'H' || fa.get(3) != 'D') {
            throw new DasFileException(Reason.CORRUPT, h.file, path + " fixed array header has no 'FAHD' signature");
        }
        checksum(h, fa, headerSize - 4, path + " fixed array header");
        int client = fa.get(5);
        int entrySize = fa.get(6) & 0xFF;
        int pageBits = fa.get(7) & 0xFF;
        long entries = unsigned(fa, 8, lengths);
        long dataBlock = unsigned(fa, 8 + lengths, offsets);
        if (client != 0) {
            throw new DasFileException(Reason.UNSUPPORTED_VERSION, h.file, path + " has filtered chunks");
        }
        if (entrySize != offsets || pageBits > 30 || entries < 0 || entries * entrySize > h.fileSize * 64) {
            throw new DasFileException(Reason.CORRUPT, h.file, path + " fixed array header declares " + entries
                    + " entries of " + entrySize + " bytes, pages of 2^" + pageBits);
        }
        long pageSize = 1L << pageBits;
        boolean paged = entries > pageSize;
        long pages = paged ? (entries + pageSize - 1) / pageSize : 1;
        int prefix = 6 + offsets;
        int bitmapBytes = paged ? (int) ((pages + 7) / 8) : 0;
        long[] addresses = new long[Math.toIntExact(entries)];
        Arrays.fill(addresses, UNDEFINED);
        if (!paged) {
            int size = Math.toIntExact(prefix + entries * entrySize + 4);
            ByteBuffer db = region(h, storage, dataBlock, size, path);
            checkBlockPrefix(h, db, address, offsets, path);
            checksum(h, db, size - 4, path + " fixed array data block");
            for (int i = 0; i < entries; i++) {
                addresses[i] = address(db, prefix + i * entrySize, offsets);
            }
            return addresses;
        }
        ByteBuffer head = region(h, storage, dataBlock, prefix + bitmapBytes + 4, path);
        checkBlockPrefix(h, head, address, offsets, path);
        checksum(h, head, prefix + bitmapBytes, path + " fixed array data block");
        long pageStart = dataBlock + prefix + bitmapBytes + 4;
        for (long page = 0; page < pages; page++) {
            long inPage = page == pages - 1 ? entries - page * pageSize : pageSize;
            int pageBytes = Math.toIntExact(inPage * entrySize + 4);
            boolean initialised = (head.get(prefix + (int) (page / 8)) & (0x80 >>> (page % 8))) != 0;
            if (initialised) {
                ByteBuffer p = region(h, storage, pageStart, pageBytes, path);
                checksum(h, p, pageBytes - 4, path + " fixed array page " + page);
                for (int i = 0; i < inPage; i++) {
                    addresses[(int) (page * pageSize + i)] = address(p, i * entrySize, offsets);
                }
            }
            pageStart += (long) pageSize * entrySize + 4;
        }
        return addresses;
    }

    private static void checkBlockPrefix(Hdf5Source h, ByteBuffer db, long header, int offsets, String path)
            throws DasFileException {
        if (db.get(0) != 'F' || db.get(1) != 'A' || db.get(2) != 'D' || db.get(3) != 'B'
                || unsigned(db, 6, offsets) != header) {
            throw new DasFileException(Reason.CORRUPT, h.file, path + " fixed array data block has no 'FADB' "
                    + "signature pointing back to its header");
        }
    }

    private static ByteBuffer region(Hdf5Source h, HdfBackingStorage storage, long at, int size, String path)
            throws DasFileException {
        if (at < 0 || size < 0 || at + size > h.fileSize) {
            throw new DasFileException(Reason.TRUNCATED, h.file, path + " chunk index at bytes " + at + "+" + size
                    + " lies beyond the file's " + h.fileSize);
        }
        return storage.readBufferFromAddress(at, size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checksum(Hdf5Source h, ByteBuffer b, int length, String what) throws DasFileException {
        byte[] bytes = new byte[length];
        b.get(0, bytes);
        int computed = ChecksumUtils.checksum(bytes);
        int stored = b.getInt(length);
        if (computed != stored) {
            throw new DasFileException(Reason.CORRUPT, h.file, what + " checksum mismatch (stored " + stored
                    + ", computed " + computed + ")");
        }
    }

    private static long address(ByteBuffer b, int at, int size) {
        long v = unsigned(b, at, size);
        return size == 8 && v == -1L || size < 8 && v == (1L << (8 * size)) - 1 ? UNDEFINED : v;
    }

    private static long unsigned(ByteBuffer b, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b.get(at + i) & 0xFF);
        }
        return v;
    }
}
