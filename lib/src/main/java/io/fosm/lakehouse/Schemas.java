package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The schemas of every fosm table, defined once; docs/data-contracts.md describes them for humans. */
public final class Schemas {
    private Schemas() {}

    private static StructField field(String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    /**
     * One chunk record: a channel x a chunk of samples. Never one row per sample. {@code samples} is BINARY in the
     * encoding {@link Samples#ENCODING} (float32 little-endian, 4 bytes per sample; see {@link Samples}).
     */
    public static final StructType CHUNK = new StructType(new StructField[] {
            field(FIBER_ID, DataTypes.StringType, false),
            field(CHANNEL, DataTypes.IntegerType, false),
            field(CHUNK_START, DataTypes.TimestampType, false),
            field(SAMPLE_RATE, DataTypes.DoubleType, false),
            field(SAMPLES, Samples.TYPE, false),
            field(INTERROGATOR_ID, DataTypes.StringType, true),
            field(SEQ, DataTypes.LongType, false)});

    /** Bronze: chunk records exactly as landed, plus ingest metadata. Partitioned by fiber_id, event_date. */
    public static final StructType BRONZE = CHUNK
            .add(field(INGEST_TIME, DataTypes.TimestampType, false))
            .add(field(SOURCE_FILE, DataTypes.StringType, false))
            .add(field(EVENT_DATE, DataTypes.DateType, false));

    /** Landing files that could not be decoded, kept whole (content) with the reason. */
    public static final StructType BRONZE_QUARANTINE = new StructType(new StructField[] {
            field(SOURCE_FILE, DataTypes.StringType, false),
            field(FILE_SIZE, DataTypes.LongType, false),
            field(REASON, DataTypes.StringType, false),
            field(DETAIL, DataTypes.StringType, true),
            field(CONTENT, DataTypes.BinaryType, true),
            field(INGEST_TIME, DataTypes.TimestampType, false)});

    /**
     * {@code bronze_files}: one row per landing file bronze ingested (FOSF or an interrogator's own format), with
     * what the file declares about itself, its checksum, and how it joins the previous file of its fiber
     * ({@code boundary}: first, continuous, overlap, contained, gap, layout_change; see RecordingPlan).
     */
    public static final StructType BRONZE_FILES = new StructType(new StructField[] {
            field(SOURCE_FILE, DataTypes.StringType, false),
            field(FIBER_ID, DataTypes.StringType, false),
            field(FORMAT, DataTypes.StringType, false),
            field(FORMAT_VERSION, DataTypes.StringType, true),
            field(VENDOR, DataTypes.StringType, true),
            field(SAMPLE_RATE, DataTypes.DoubleType, false),
            field(CHANNEL_SPACING_M, DataTypes.DoubleType, true),
            field(GAUGE_LENGTH_M, DataTypes.DoubleType, true),
            field(START_DISTANCE_M, DataTypes.DoubleType, true),
            field(DATA_TYPE, DataTypes.StringType, true),
            field(UNIT, DataTypes.StringType, true),
            field(SCALE, DataTypes.DoubleType, true),
            field(START_TIME, DataTypes.TimestampType, false),
            field(END_TIME, DataTypes.TimestampType, false),
            field(FIRST_CHANNEL, DataTypes.IntegerType, false),
            field(LAST_CHANNEL, DataTypes.IntegerType, false),
            field(TIME_SAMPLES, DataTypes.LongType, false),
            field(FILE_SIZE, DataTypes.LongType, false),
            field(SHA256, DataTypes.StringType, false),
            field(BOUNDARY, DataTypes.StringType, false),
            field(BOUNDARY_SECONDS, DataTypes.DoubleType, false),
            field(TRIMMED_SAMPLES, DataTypes.LongType, false),
            field(PREVIOUS_FILE, DataTypes.StringType, true),
            field(INEXACT_SAMPLES, DataTypes.LongType, false),
            field(RECORDS, DataTypes.LongType, false),
            field(INGEST_TIME, DataTypes.TimestampType, false)});

    /**
     * {@code bronze_band_energy}: vendor-computed band energies of PRODML frequency-band-energy files, one row per
     * fiber x channel x band x chunk of the file (at most {@code BronzeBandEnergy.CHUNK_VALUES} values), the values
     * exactly as stored, in the file's unit (bronze_files). Partitioned by fiber_id, event_date.
     */
    public static final StructType BRONZE_BAND_ENERGY = new StructType(new StructField[] {
            field(FIBER_ID, DataTypes.StringType, false),
            field(CHANNEL, DataTypes.IntegerType, false),
            field(BAND, DataTypes.IntegerType, false),
            field(BAND_LOW_HZ, DataTypes.DoubleType, false),
            field(BAND_HIGH_HZ, DataTypes.DoubleType, false),
            field(CHUNK_START, DataTypes.TimestampType, false),
            field(SAMPLE_RATE, DataTypes.DoubleType, false),
            field(ENERGY, DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            field(SOURCE_FILE, DataTypes.StringType, false),
            field(INGEST_TIME, DataTypes.TimestampType, false),
            field(EVENT_DATE, DataTypes.DateType, false)});

    /** Silver: validated, deduplicated (and optionally filtered) chunks; same columns as bronze. */
    public static final StructType SILVER = BRONZE;

    /** Bronze rows that failed validation, with the reason; nothing is dropped silently. */
    public static final StructType SILVER_QUARANTINE = BRONZE
            .add(field(REASON, DataTypes.StringType, false))
            .add(field(DETAIL, DataTypes.StringType, true))
            .add(field(QUARANTINED_AT, DataTypes.TimestampType, false));

    /** The ground-truth event log written by the generator (labels; never inside the signal). */
    public static final StructType EVENT_LOG = new StructType(new StructField[] {
            field(EVENT_ID, DataTypes.StringType, true),
            field(FIBER_ID, DataTypes.StringType, true),
            field(EVENT_TYPE, DataTypes.StringType, true),
            field(START_TIME, DataTypes.TimestampType, true),
            field(END_TIME, DataTypes.TimestampType, true),
            field(CENTER_CHANNEL_START, DataTypes.DoubleType, true),
            field(CENTER_CHANNEL_END, DataTypes.DoubleType, true),
            field(HALF_WIDTH_CHANNELS, DataTypes.DoubleType, true),
            field(SPEED_MPS, DataTypes.DoubleType, true),
            field(PEAK_AMPLITUDE, DataTypes.DoubleType, true),
            field(DRIFT, DataTypes.BooleanType, true)});

    /**
     * stream_dead_letter: what the stream could not use. A record (undecodable, invalid by silver's rules, late) keeps
     * its raw single-record payload; a whole undecodable file keeps its bytes; a late window has no payload.
     */
    public static final StructType STREAM_DEAD_LETTER = new StructType(new StructField[] {
            field(REASON, DataTypes.StringType, false),
            field(DETAIL, DataTypes.StringType, true),
            field(PAYLOAD, DataTypes.BinaryType, true),
            field(SOURCE, DataTypes.StringType, true),
            field(KAFKA_TOPIC, DataTypes.StringType, true),
            field(KAFKA_PARTITION, DataTypes.IntegerType, true),
            field(KAFKA_OFFSET, DataTypes.LongType, true),
            field(FIBER_ID, DataTypes.StringType, true),
            field(CHANNEL, DataTypes.IntegerType, true),
            field(CHUNK_START, DataTypes.TimestampType, true),
            field(WINDOW_START, DataTypes.TimestampType, true),
            field(BATCH_ID, DataTypes.LongType, false),
            field(DEAD_LETTERED_AT, DataTypes.TimestampType, false)});

    /**
     * incidents: an append-only log of incident states (io.fosm.incidents.IncidentTracker). Each micro-batch appends
     * the state after the batch of every incident it opened, changed or closed; {@code update_seq} grows with every
     * change of an incident, so its current state is its row with the highest update_seq
     * ({@code io.fosm.incidents.IncidentRows#latest}). Locations in metres come from io.fosm.incidents.IncidentLocation.
     */
    public static final StructType INCIDENTS = new StructType(new StructField[] {
            field(INCIDENT_ID, DataTypes.StringType, false),
            field(STATUS, DataTypes.StringType, false),
            field(FIBER_ID, DataTypes.StringType, false),
            field(EVENT_CLASS, DataTypes.StringType, false),
            field(CLASS_CONFIDENCE, DataTypes.DoubleType, false),
            field(START_TIME, DataTypes.TimestampType, false),
            field(DETECTED_TIME, DataTypes.TimestampType, false),
            field(END_TIME, DataTypes.TimestampType, false),
            field(CHANNEL_MIN, DataTypes.IntegerType, false),
            field(CHANNEL_MAX, DataTypes.IntegerType, false),
            field(LOCATION_START_M, DataTypes.DoubleType, false),
            field(LOCATION_END_M, DataTypes.DoubleType, false),
            field(POSITION_CHANNEL, DataTypes.DoubleType, false),
            field(LOCATION_M, DataTypes.DoubleType, false),
            field(DETECTED_LOCATION_M, DataTypes.DoubleType, false),
            field(DETECTED_CHANNEL, DataTypes.DoubleType, false),
            field(VELOCITY_CHANNELS_PER_S, DataTypes.DoubleType, false),
            field(SPEED_MPS, DataTypes.DoubleType, false),
            field(DIRECTION, DataTypes.StringType, false),
            field(PEAK_PROBABILITY, DataTypes.DoubleType, false),
            field(PEAK_CHANNEL, DataTypes.IntegerType, false),
            field(ALERT_WINDOWS, DataTypes.LongType, false),
            field(ALERT_CELLS, DataTypes.LongType, false),
            field(ANOMALOUS_FRACTION, DataTypes.DoubleType, false),
            field(MODEL_VERSION, DataTypes.StringType, true),
            field(UPDATE_SEQ, DataTypes.LongType, false),
            field(TRACK_TIMES, DataTypes.createArrayType(DataTypes.TimestampType, false), false),
            field(TRACK_CHANNELS, DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            field(BATCH_ID, DataTypes.LongType, false),
            field(UPDATED_AT, DataTypes.TimestampType, false),
            // chainage of the peak channel along the pipeline (FiberRoutes); null off the route
            field(CHAINAGE_M, DataTypes.DoubleType, true)});

    /**
     * event_evaluation: one row per figure of an event-level evaluation (io.fosm.evaluation.EventEvaluation); the
     * whole report (confusion matrix included) as JSON on every row of the evaluation.
     */
    public static final StructType EVENT_EVALUATION = new StructType(new StructField[] {
            field(EVALUATION_ID, DataTypes.StringType, false),
            field(SOURCE, DataTypes.StringType, false),
            field(MODEL_NAME, DataTypes.StringType, true),
            field(MODEL_VERSION, DataTypes.StringType, true),
            field(METRIC, DataTypes.StringType, false),
            field(VALUE, DataTypes.DoubleType, true),
            field(DETAIL_JSON, DataTypes.StringType, false),
            field(EVALUATED_AT, DataTypes.TimestampType, false)});

    /**
     * {@code drift_reference}: one row per model version and profiled column (kind feature, prediction or quality):
     * inner quantile bin edges, the reference's fraction per bin, a bounded sample (KS, Wasserstein), and for
     * quality rows the reference value. See io.fosm.drift.ReferenceProfile.
     */
    public static final StructType DRIFT_REFERENCE = new StructType(new StructField[] {
            field(REFERENCE, DataTypes.StringType, false),
            field(MODEL_NAME, DataTypes.StringType, true),
            field(MODEL_VERSION, DataTypes.StringType, true),
            field(RUN_ID, DataTypes.StringType, true),
            field(CREATED_AT, DataTypes.TimestampType, false),
            field(KIND, DataTypes.StringType, false),
            field(FEATURE, DataTypes.StringType, false),
            field(VALUE_COUNT, DataTypes.LongType, false),
            field(INVALID_COUNT, DataTypes.LongType, false),
            field(BIN_EDGES, DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            field(BIN_FRACTIONS, DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            field(SAMPLE, DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            field(VALUE, DataTypes.DoubleType, true)});

    /**
     * {@code drift_reports}: one row per report window x profiled column (kind feature, prediction or quality); the
     * statistics are null where they do not apply (quality rows carry value and reference_value instead).
     */
    public static final StructType DRIFT_REPORTS = new StructType(new StructField[] {
            field(REPORT_START, DataTypes.TimestampType, false),
            field(REPORT_END, DataTypes.TimestampType, false),
            field(REFERENCE, DataTypes.StringType, false),
            field(KIND, DataTypes.StringType, false),
            field(FEATURE, DataTypes.StringType, false),
            field(VALUE_COUNT, DataTypes.LongType, false),
            field(INVALID_COUNT, DataTypes.LongType, false),
            field(PSI, DataTypes.DoubleType, true),
            field(KS_STATISTIC, DataTypes.DoubleType, true),
            field(KS_PVALUE, DataTypes.DoubleType, true),
            field(JS_DISTANCE, DataTypes.DoubleType, true),
            field(WASSERSTEIN, DataTypes.DoubleType, true),
            field(VALUE, DataTypes.DoubleType, true),
            field(REFERENCE_VALUE, DataTypes.DoubleType, true),
            field(FLAGGED, DataTypes.BooleanType, false),
            field(WINDOW_DRIFTED, DataTypes.BooleanType, false),
            field(REPORTED_AT, DataTypes.TimestampType, false)});

    /** The same fields, all nullable (for rows that carry either a record or a failure). */
    public static StructType nullable(StructType schema) {
        StructField[] fields = schema.fields().clone();
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(fields[i].name(), fields[i].dataType(), true);
        }
        return new StructType(fields);
    }

    /** The key of a chunk: at most one silver row per key. */
    public static final String[] CHUNK_KEY = {FIBER_ID, CHANNEL, CHUNK_START};
}
