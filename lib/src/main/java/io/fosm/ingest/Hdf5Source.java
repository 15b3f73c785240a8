package io.fosm.ingest;

import io.fosm.ingest.DasFileException.Reason;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * An open HDF5 file (jhdf) with the look-ups the HDF5-based readers share: typed attribute and small-dataset values,
 * and the guard that turns any jhdf failure into a {@link DasFileException}. jhdf throws unchecked exceptions of many
 * types on damaged files; every call into it goes through {@link #call} so none escapes.
 */
final class Hdf5Source implements AutoCloseable {

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    final Path path;
    final String file;
    final long fileSize;
    final HdfFile hdf;

    private Hdf5Source(Path path, long fileSize, HdfFile hdf) {
        this.path = path;
        this.file = path.toString();
        this.fileSize = fileSize;
        this.hdf = hdf;
    }

    /** True when the file starts with the HDF5 signature (at offset 0; user blocks are not looked for). */
    static boolean hasSignature(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(HDF5_SIGNATURE.length);
            return Arrays.equals(head, HDF5_SIGNATURE);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Hdf5Source open(Path path) throws DasFileException {
        String file = path.toString();
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new DasFileException(Reason.UNREADABLE, file, "cannot get its size: " + e.getMessage(), e);
        }
        if (!hasSignature(path)) {
            throw new DasFileException(Reason.UNKNOWN_FORMAT, file, "no HDF5 signature at offset 0");
        }
        long declared = declaredEnd(path);
        if (declared > size) {
            throw new DasFileException(Reason.TRUNCATED, file, "the HDF5 superblock declares " + declared
                    + " bytes (end-of-file address), the file has " + size);
        }
        try {
            return new Hdf5Source(path, size, new HdfFile(path));
        } catch (RuntimeException | StackOverflowError e) {
            throw failure(file, "cannot open as HDF5", e);
        }
    }

    /**
     * The end-of-file address the superblock (versions 0 to 3, at offset 0) declares, or -1 when it cannot be read:
     * a file shorter than that was cut off.
     */
    static long declaredEnd(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(128);
            if (head.length < 16) {
                return -1;
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int version = head[8];
            int offsets;
            int at;
            if (version == 0 || version == 1) {
                offsets = head[13];
                at = 24 + (version == 1 ? 4 : 0) + 2 * offsets; // base address, free-space address, then EOF
            } else if (version == 2 || version == 3) {
                offsets = head[9];
                at = 12 + 2 * offsets; // base address, superblock extension address, then EOF
            } else {
                return -1;
            }
            if (offsets != 8 && offsets != 4) {
                return -1;
            }
            if (at + offsets > head.length) {
                return at + offsets; // the file ends inside its own superblock
            }
            long end = offsets == 8 ? b.getLong(at) : b.getInt(at) & 0xFFFFFFFFL;
            return end == -1L ? -1 : end;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Opens quietly for {@code accepts}: null when the file is not a readable HDF5 file. */
    static Hdf5Source probe(Path path) {
        if (!hasSignature(path)) {
            return null;
        }
        try {
            return open(path);
        } catch (DasFileException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            hdf.close();
        } catch (RuntimeException e) {
            // closing a damaged file must not hide the reason it was rejected
        }
    }

    /** A unit of jhdf work that may throw anything. */
    interface Hdf5Call<T> {
        T run() throws DasFileException;
    }

    /** Runs jhdf work, mapping any unchecked failure to a named reason. */
    <T> T call(String what, Hdf5Call<T> work) throws DasFileException {
        try {
            return work.run();
        } catch (DasFileException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw failure(file, "cannot " + what, e);
        }
    }

    static DasFileException failure(String file, String what, Throwable e) {
        String detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        boolean truncated = root instanceof java.nio.BufferUnderflowException
                || root instanceof java.io.EOFException
                || String.valueOf(root.getMessage()).toLowerCase(Locale.ROOT).contains("beyond")
                || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("end of file");
        return new DasFileException(truncated ? Reason.TRUNCATED : Reason.CORRUPT, file, what + " (" + detail + ")", e);
    }

    // ---- structure look-ups (null when absent) ----

    Node node(String path) throws DasFileException {
        return call("look up " + path, () -> {
            try {
                return hdf.getByPath(path);
            } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
                return null;
            }
        });
    }

    Group group(String path) throws DasFileException {
        Node n = node(path);
        return n instanceof Group g ? g : null;
    }

    Dataset dataset(String path) throws DasFileException {
        Node n = node(path);
        return n instanceof Dataset d ? d : null;
    }

    Map<String, Node> children(Group group) throws DasFileException {
        return call("list " + group.getPath(), group::getChildren);
    }

    boolean hasAttribute(Node node, String name) throws DasFileException {
        return call("read attributes of " + node.getPath(), () -> node.getAttributes().containsKey(name));
    }

    /** The attribute's value, unwrapped from a 1-element array; null when absent. */
    Object attribute(Node node, String name) throws DasFileException {
        return call("read attribute " + name + " of " + node.getPath(), () -> {
            Attribute a = node.getAttributes().get(name);
            if (a == null) {
                return null;
            }
            if (a.getSizeInBytes() > fileSize) {
                throw new DasFileException(Reason.CORRUPT, file, "attribute " + name + " of " + node.getPath()
                        + " declares " + a.getSizeInBytes() + " bytes, more than the file's " + fileSize);
            }
            return unwrap(a.getData());
        });
    }

    /** A dataset's value when it is a small scalar or 1-element setting (AP Sensing, OptoDAS); null when absent. */
    Object smallDataset(String path) throws DasFileException {
        Dataset d = dataset(path);
        if (d == null) {
            return null;
        }
        return call("read " + path, () -> {
            if (d.getSizeInBytes() > Math.min(fileSize, 1 << 20)) {
                throw new DasFileException(Reason.CORRUPT, file, path + " declares " + d.getSizeInBytes()
                        + " bytes, expected a small setting");
            }
            return unwrap(d.getData());
        });
    }

    static Object unwrap(Object value) {
        Object v = value;
        while (v != null && v.getClass().isArray() && Array.getLength(v) == 1) {
            v = Array.get(v, 0);
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return v;
    }

    // ---- typed values ----

    String string(Object v) {
        if (v == null) {
            return null;
        }
        if (v.getClass().isArray()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < Array.getLength(v); i++) {
                b.append(i == 0 ? "" : " ").append(string(Array.get(v, i)));
            }
            return b.toString();
        }
        return String.valueOf(v).replace("\u0000", "").trim();
    }

    /** A number, or NaN when absent; a value that is no number is CORRUPT. */
    double number(Object v, String what) throws DasFileException {
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        try {
            return Double.parseDouble(string(v));
        } catch (NumberFormatException e) {
            throw new DasFileException(Reason.CORRUPT, file, what + " is '" + string(v) + "', expected a number");
        }
    }

    double requiredNumber(Object v, String what) throws DasFileException {
        if (v == null) {
            throw new DasFileException(Reason.MISSING_DATASET, file, "no " + what);
        }
        return number(v, what);
    }

    /** A numeric array attribute or dataset value as doubles (a scalar gives one element). */
    double[] numbers(Object v, String what) throws DasFileException {
        if (v == null) {
            throw new DasFileException(Reason.MISSING_DATASET, file, "no " + what);
        }
        if (!v.getClass().isArray()) {
            return new double[] {number(v, what)};
        }
        double[] out = new double[Array.getLength(v)];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(Array.get(v, i), what + "[" + i + "]");
        }
        return out;
    }

    /** An ISO-8601 time (with or without zone; no zone means UTC) as epoch microseconds. */
    long isoMicros(String text, String what) throws DasFileException {
        if (text == null || text.isEmpty()) {
            throw new DasFileException(Reason.MISSING_DATASET, file, "no " + what);
        }
        try {
            return TimeUnits.isoMicros(text);
        } catch (DateTimeParseException e) {
            throw new DasFileException(Reason.CORRUPT, file, what + " is '" + text + "', expected an ISO-8601 time");
        }
    }

    // ---- data types ----

    /** The fosm name of a dataset's stored type ("int16", "float32", ...), or UNSUPPORTED_VERSION. */
    String dataTypeName(Dataset d, String path) throws DasFileException {
        DataType t = call("read the type of " + path, d::getDataType);
        if (t instanceof FloatingPoint) {
            if (t.getSize() == 4 || t.getSize() == 8) {
                return "float" + (8 * t.getSize());
            }
        } else if (t instanceof FixedPoint fp) {
            int bits = 8 * t.getSize();
            if (bits <= 32 || (bits == 64 && fp.isSigned())) {
                return (fp.isSigned() ? "int" : "uint") + bits;
            }
        }
        throw new DasFileException(Reason.UNSUPPORTED_VERSION, file, path + " stores " + t.getClass().getSimpleName()
                + " of " + t.getSize() + " bytes, expected integers or 32/64-bit floats");
    }

    /** Checks a dataset's declared shape against the file size before anything is allocated for it. */
    void checkAllocation(Dataset d, String path) throws DasFileException {
        call("check the size of " + path, () -> {
            long elements = 1;
            for (int n : d.getDimensions()) {
                if (n < 0) {
                    throw new DasFileException(Reason.CORRUPT, file, path + " has a negative dimension");
                }
                elements = Math.multiplyExact(elements, n);
            }
            long bytes = Math.multiplyExact(elements, d.getDataType().getSize());
            boolean filtered = !d.getFilters().isEmpty();
            long limit = filtered ? Math.min(Integer.MAX_VALUE, 1024 * fileSize) : fileSize;
            if (bytes > limit) {
                throw new DasFileException(filtered ? Reason.CORRUPT : Reason.TRUNCATED, file, path + " declares "
                        + Arrays.toString(d.getDimensions()) + " (" + bytes + " bytes), more than a file of "
                        + fileSize + " bytes can hold");
            }
            return null;
        });
    }
}
