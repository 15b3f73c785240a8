package io.fosm.lakehouse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The encoding of a chunk's {@code samples} in bronze and silver, defined once: {@value #ENCODING}, one BINARY value
 * per chunk holding its samples as IEEE 754 float32, little-endian, 4 bytes per sample, in time order, every bit kept
 * (NaN payloads and infinities too: silver quarantines them, bronze keeps them as landed). Parquet stores that as one
 * byte array per row instead of one repeated value (with repetition and definition levels) per sample, so each stage's
 * read and write of the samples is a copy (docs/benchmarks.md).
 *
 * <p>Tables written with it carry the table property {@value #PROPERTY} = {@value #ENCODING}. Tables written before it
 * (encoding "v0": {@code samples array<float>}) are read through {@link #packed}, which converts them; anything else is
 * refused with a "Cannot read" error naming the table and the type found.
 *
 * <p>The Kafka wire format of a chunk record (io.fosm.record.ChunkCodec, big-endian, its own version) is a different
 * contract and is not this one.
 */
public final class Samples {
    private Samples() {}

    /** The encoding's name, versioned: a change of layout gets a new name. */
    public static final String ENCODING = "f32le-v1";
    /** The Delta table property that records the encoding of a table's {@code samples}. */
    public static final String PROPERTY = "fosm.samples.encoding";
    /** The Spark type of {@code samples} in this encoding. */
    public static final DataType TYPE = DataTypes.BinaryType;
    /** The type of {@code samples} written before this encoding (v0). */
    public static final DataType V0_TYPE = DataTypes.createArrayType(DataTypes.FloatType, false);
    /** Bytes per sample. */
    public static final int BYTES = 4;

    // reads and writes an int at any byte offset in one instruction (little-endian whatever the platform)
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The samples packed: 4 bytes per sample. */
    public static byte[] encode(float[] samples) {
        return encode(samples, 0, samples.length);
    }

    /** {@code count} samples from {@code offset} packed. */
    public static byte[] encode(float[] samples, int offset, int count) {
        byte[] out = new byte[count * BYTES];
        // one bulk copy through a little-endian float view (a memory copy on a little-endian machine, a swapping copy
        // otherwise): raw bits, so a NaN keeps its payload
        java.nio.ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(samples, offset, count);
        return out;
    }

    /** The samples of packed bytes as a new array. */
    public static float[] decode(byte[] packed) {
        float[] out = new float[count(packed)];
        decodeInto(packed, out);
        return out;
    }

    /**
     * Decodes packed bytes into {@code into} (a reused buffer, at least {@link #count} long) and returns the number of
     * samples written.
     */
    public static int decodeInto(byte[] packed, float[] into) {
        int n = count(packed);
        if (into.length < n) {
            throw new IllegalArgumentException("Cannot decode samples: " + n + " samples do not fit a buffer of "
                    + into.length);
        }
        java.nio.ByteBuffer.wrap(packed, 0, n * BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into, 0, n);
        return n;
    }

    /** The number of samples in packed bytes; a length that is not a multiple of 4 is a clear error. */
    public static int count(byte[] packed) {
        if (packed == null) {
            throw new IllegalArgumentException("Cannot decode samples: null (" + ENCODING + " samples are never null)");
        }
        if (packed.length % BYTES != 0) {
            throw new IllegalArgumentException("Cannot decode samples: " + packed.length + " bytes is not a multiple of "
                    + BYTES + " (" + ENCODING + " packs " + BYTES + " bytes per sample)");
        }
        return packed.length / BYTES;
    }

    /**
     * The number of NaN or infinite samples in packed bytes (those whose exponent bits are all set), without decoding
     * to floats; trailing bytes of a malformed length are ignored (silver rejects the length first).
     */
    public static int nonFinite(byte[] packed) {
        int n = packed.length / BYTES;
        int bad = 0;
        for (int i = 0; i < n; i++) {
            int bits = (int) INT_LE.get(packed, i * BYTES);
            // branch-free: 1 when the 8 exponent bits are all ones
            bad += ((bits & 0x7f800000) == 0x7f800000) ? 1 : 0;
        }
        return bad;
    }

    /** Spark: the number of samples of a packed column; null when its byte length is not a multiple of 4. */
    public static Column count(Column packed) {
        Column bytes = functions.octet_length(packed);
        return functions.when(bytes.mod(BYTES).equalTo(0), bytes.divide(BYTES).cast("int"));
    }

    /** Spark: the byte length of a packed column. */
    public static Column byteLength(Column packed) {
        return functions.octet_length(packed);
    }

    private static final UserDefinedFunction NON_FINITE = functions.udf(
            (UDF1<byte[], Integer>) b -> b == null ? null : nonFinite(b), DataTypes.IntegerType);

    /** Spark: the number of NaN or infinite samples of a packed column (a compiled loop over its bytes). */
    public static Column nonFinite(Column packed) {
        return NON_FINITE.apply(packed);
    }

    private static final UserDefinedFunction FROM_V0 = functions.udf(
            (UDF1<scala.collection.Seq<Object>, byte[]>) s -> {
                if (s == null) {
                    return null;
                }
                byte[] out = new byte[s.length() * BYTES];
                scala.collection.Iterator<Object> it = s.iterator();
                for (int i = 0; it.hasNext(); i++) {
                    INT_LE.set(out, i * BYTES, Float.floatToRawIntBits((Float) it.next()));
                }
                return out;
            }, DataTypes.BinaryType);

    /**
     * A chunk table's rows with {@code samples} in this encoding: as they are when the column is already BINARY, converted
     * when it is the v0 {@code array<float>} of tables written before it (one pass over the samples; rebuild the table
     * to drop that cost); anything else is refused: "Cannot read bronze_chunks at PATH: its samples are TYPE, expected
     * binary (f32le-v1) or array&lt;float&gt; (v0)".
     */
    public static Dataset<Row> packed(Dataset<Row> rows, String table, String path) {
        if (!java.util.Arrays.asList(rows.schema().fieldNames()).contains(Columns.SAMPLES)) {
            throw new IllegalStateException("Cannot read " + table + " at " + path + ": it has no " + Columns.SAMPLES
                    + " column");
        }
        DataType type = rows.schema().apply(Columns.SAMPLES).dataType();
        if (type.equals(TYPE)) {
            return rows;
        }
        if (type instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType)) {
            return rows.withColumn(Columns.SAMPLES, FROM_V0.apply(functions.col(Columns.SAMPLES)));
        }
        throw new IllegalStateException("Cannot read " + table + " at " + path + ": its samples are "
                + type.simpleString() + ", expected binary (" + ENCODING + ") or array<float> (v0)");
    }

    /**
     * Prepares the chunk table at {@code path} for a write of packed samples. A missing table is created empty with the
     * property {@value #PROPERTY} = {@value #ENCODING} (its first commit; the write's own commit follows), so the
     * encoding is recorded from the start, and with statistics on every column but the samples ({@link #statsColumns}).
     * An existing table of this encoding needs nothing. A table of another
     * encoding is refused with a "Cannot write" error saying how to rebuild it, unless {@code fullReplace} (a write that
     * replaces the whole table and its schema): then the caller writes and calls {@link #mark} after, and this returns
     * true. Cost: one read of the table's properties (its Delta log), nothing per row.
     */
    public static boolean prepare(org.apache.spark.sql.SparkSession spark, String table, String path,
                                  org.apache.spark.sql.types.StructType schema, boolean fullReplace,
                                  String... partitionColumns) {
        if (!Delta.exists(spark, path)) {
            try {
                io.delta.tables.DeltaTable.createIfNotExists(spark).location(path)
                        .addColumns(io.fosm.lakehouse.Schemas.nullable(schema)).partitionedBy(partitionColumns)
                        .property(PROPERTY, ENCODING)
                        .property(STATS_COLUMNS_PROPERTY, statsColumns(schema, partitionColumns)).execute();
            } catch (RuntimeException e) {
                // a concurrent run created it first: fine when it is there now (checked below); while the other's
                // first commit is still being written, this run stops as a concurrent-commit loser (it wrote nothing)
                if (!Delta.exists(spark, path)) {
                    if (creationStarted(spark, path)) {
                        throw new Delta.ConcurrentCommitException(table, e);
                    }
                    throw e;
                }
            }
        }
        String found = encodingOf(spark, path);
        if (ENCODING.equals(found)) {
            return false;
        }
        if (fullReplace) {
            return true;
        }
        if (found == null && spark.read().format("delta").load(path).schema().apply(Columns.SAMPLES).dataType()
                .equals(TYPE)) {
            // binary samples written without the property (by hand, or a test): the layout is this one, record it
            mark(spark, table, path);
            return false;
        }
        throw new IllegalStateException("Cannot write " + table + " at " + path + ": its samples are "
                + (found == null ? "array<float> (encoding v0, written before " + ENCODING + ")" : "encoded " + found)
                + " and this fosm writes " + ENCODING + "; rebuild it: "
                + (table.startsWith("bronze") ? "move it away and run `fosm bronze` again over the landing files"
                        : "run `fosm silver` without --date (a full run replaces the table)"));
    }

    /** Delta's table property naming the columns whose per-file statistics (min, max, nulls) each write collects. */
    public static final String STATS_COLUMNS_PROPERTY = "delta.dataSkippingStatsColumns";

    /**
     * The statistics columns of a chunk table: every column but the samples (whose statistics no reader skips files
     * by, and which Delta's statistics pass would copy out of every row) and the partition columns (Delta keeps
     * those per file anyway).
     */
    static String statsColumns(org.apache.spark.sql.types.StructType schema, String... partitionColumns) {
        java.util.List<String> partitions = java.util.List.of(partitionColumns);
        return java.util.Arrays.stream(schema.fieldNames())
                .filter(c -> !c.equals(Columns.SAMPLES) && !partitions.contains(c))
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** Whether the table's {@code _delta_log} folder is there (another writer is creating the table). */
    private static boolean creationStarted(org.apache.spark.sql.SparkSession spark, String path) {
        org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(path, "_delta_log");
        try {
            return log.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(log);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Records {@value #PROPERTY} = {@value #ENCODING} on a table rewritten whole in this encoding (one commit). */
    public static void mark(org.apache.spark.sql.SparkSession spark, String table, String path) {
        Delta.commit(table, () -> spark.sql("ALTER TABLE delta.`" + path + "` SET TBLPROPERTIES ('" + PROPERTY + "' = '"
                + ENCODING + "')"));
    }

    /** The {@value #PROPERTY} of the Delta table at {@code path}, null when it has none. */
    public static String encodingOf(org.apache.spark.sql.SparkSession spark, String path) {
        Row detail = io.delta.tables.DeltaTable.forPath(spark, path).detail().select("properties").head();
        java.util.Map<String, String> props = detail.isNullAt(0) ? java.util.Map.of() : detail.getJavaMap(0);
        return props.get(PROPERTY);
    }
}
