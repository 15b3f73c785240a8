package io.fosm.lakehouse;

/** Column names of every fosm table, defined once. */
public final class Columns {
    private Columns() {}

    // the chunk record (one channel x one chunk)
    public static final String FIBER_ID = "fiber_id";
    public static final String CHANNEL = "channel";
    public static final String CHUNK_START = "chunk_start";
    public static final String SAMPLE_RATE = "sample_rate";
    public static final String SAMPLES = "samples";
    public static final String INTERROGATOR_ID = "interrogator_id";
    public static final String SEQ = "seq";
    /**
     * size(samples), kept in silver's staged batch only (not published): the audit and the run's counts read it
     * instead of decoding every sample array again.
     */
    public static final String SAMPLE_COUNT = "sample_count";

    // ingest metadata
    public static final String INGEST_TIME = "ingest_time";
    /**
     * When the stream received a raw row (the Kafka record's timestamp, a landing file's modification time): the
     * stream's arrival delay is this minus the chunk's last sample time. Internal to the stream, never stored.
     */
    public static final String ARRIVED_AT = "arrived_at";
    public static final String SOURCE_FILE = "source_file";
    public static final String EVENT_DATE = "event_date";
    public static final String FILE_SIZE = "file_size";
    public static final String CONTENT = "content";

    // bronze_files: what each ingested landing file declares, and how it joins the file before it
    public static final String FORMAT = "format";
    public static final String FORMAT_VERSION = "format_version";
    public static final String VENDOR = "vendor";
    public static final String CHANNEL_SPACING_M = "channel_spacing_m";
    public static final String GAUGE_LENGTH_M = "gauge_length_m";
    public static final String START_DISTANCE_M = "start_distance_m";
    public static final String DATA_TYPE = "data_type";
    public static final String UNIT = "unit";
    public static final String SCALE = "scale";
    public static final String FIRST_CHANNEL = "first_channel";
    public static final String LAST_CHANNEL = "last_channel";
    public static final String TIME_SAMPLES = "time_samples";
    public static final String SHA256 = "sha256";
    public static final String BOUNDARY = "boundary";
    public static final String BOUNDARY_SECONDS = "boundary_seconds";
    public static final String TRIMMED_SAMPLES = "trimmed_samples";
    public static final String PREVIOUS_FILE = "previous_file";
    public static final String INEXACT_SAMPLES = "inexact_samples";
    public static final String RECORDS = "records";

    // bronze_band_energy (PRODML frequency-band-energy files)
    public static final String BAND = "band";
    public static final String BAND_LOW_HZ = "band_low_hz";
    public static final String BAND_HIGH_HZ = "band_high_hz";
    public static final String ENERGY = "energy";

    // pipeline geometry (a fiber's route): where a channel lies along the pipeline
    public static final String CHAINAGE_M = "chainage_m";
    public static final String LATITUDE = "latitude";
    public static final String LONGITUDE = "longitude";

    // quarantine
    public static final String REASON = "reason";
    public static final String DETAIL = "detail";
    public static final String QUARANTINED_AT = "quarantined_at";

    // gold windows
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    public static final String SPATIAL_POWER_RATIO = "spatial_power_ratio_db";
    public static final String TEMPORAL_MAX_CREST_FACTOR = "temporal_max_crest_factor";
    public static final String TEMPORAL_MAX_KURTOSIS = "temporal_max_kurtosis";
    public static final String POWER_BASELINE_DB = "power_baseline_db";
    public static final String RECENT_IMPULSIVENESS = "recent_impulsiveness";
    public static final String ENVELOPE_VELOCITY = "envelope_velocity_mps";
    public static final String ENVELOPE_COHERENCE = "envelope_coherence";
    public static final String POWER_FLOW_VELOCITY = "power_flow_velocity_mps";
    public static final String ENERGY_SPREAD = "energy_spread_channels";

    /** The motion features ({@link io.fosm.dsp.SpatialMotion}), in the order it computes them. */
    public static final java.util.List<String> MOTION_FEATURES = java.util.List.of(ENVELOPE_VELOCITY,
            ENVELOPE_COHERENCE, POWER_FLOW_VELOCITY, ENERGY_SPREAD);

    /** The context features gold adds after the DSP features, in table order. */
    public static final java.util.List<String> CONTEXT_FEATURES = java.util.List.of(SPATIAL_POWER_RATIO,
            TEMPORAL_MAX_CREST_FACTOR, TEMPORAL_MAX_KURTOSIS, POWER_BASELINE_DB, RECENT_IMPULSIVENESS,
            ENVELOPE_VELOCITY, ENVELOPE_COHERENCE, POWER_FLOW_VELOCITY, ENERGY_SPREAD);
    public static final String LABEL = "label";
    public static final String EVENT_ID = "event_id";
    /**
     * Whether a labelled window's label is unreliable: it lies within the labelling collar of an event's start, end or
     * spatial edge without being covered, or two event classes cover it at once (see {@code Gold.withLabels}).
     */
    public static final String LABEL_AMBIGUOUS = "label_ambiguous";

    // event log (ground truth)
    public static final String EVENT_TYPE = "event_type";
    public static final String START_TIME = "start_time";
    public static final String END_TIME = "end_time";
    public static final String CENTER_CHANNEL_START = "center_channel_start";
    public static final String CENTER_CHANNEL_END = "center_channel_end";
    public static final String HALF_WIDTH_CHANNELS = "half_width_channels";
    public static final String SPEED_MPS = "speed_mps";
    public static final String PEAK_AMPLITUDE = "peak_amplitude";
    public static final String DRIFT = "drift";

    // the stream (stream_scores, stream_dead_letter, incidents)
    public static final String PAYLOAD = "payload";
    public static final String SOURCE = "source";
    public static final String KAFKA_TOPIC = "kafka_topic";
    public static final String KAFKA_PARTITION = "kafka_partition";
    public static final String KAFKA_OFFSET = "kafka_offset";
    public static final String BATCH_ID = "batch_id";
    public static final String DEAD_LETTERED_AT = "dead_lettered_at";
    public static final String MODEL_NAME = "model_name";
    public static final String MODEL_VERSION = "model_version";
    public static final String CLASSES = "classes";
    public static final String SCORED_AT = "scored_at";
    public static final String CHALLENGER_PREFIX = "challenger_";
    public static final String INCIDENT_ID = "incident_id";
    public static final String STATUS = "status";
    public static final String EVENT_CLASS = "event_class";
    public static final String CHANNEL_MIN = "channel_min";
    public static final String CHANNEL_MAX = "channel_max";
    public static final String LOCATION_START_M = "location_start_m";
    public static final String LOCATION_END_M = "location_end_m";
    public static final String PEAK_PROBABILITY = "peak_probability";
    public static final String PEAK_CHANNEL = "peak_channel";
    public static final String ALERT_WINDOWS = "alert_windows";
    public static final String UPDATED_AT = "updated_at";
    public static final String STATE = "state";
    // incidents as tracks (io.fosm.incidents) and the event-level evaluation (io.fosm.evaluation)
    public static final String CLASS_CONFIDENCE = "class_confidence";
    public static final String DETECTED_TIME = "detected_time";
    public static final String POSITION_CHANNEL = "position_channel";
    public static final String LOCATION_M = "location_m";
    public static final String DETECTED_LOCATION_M = "detected_location_m";
    public static final String DETECTED_CHANNEL = "detected_position_channel";
    public static final String VELOCITY_CHANNELS_PER_S = "velocity_channels_per_s";
    public static final String DIRECTION = "direction";
    public static final String ALERT_CELLS = "alert_cells";
    public static final String ANOMALOUS_FRACTION = "anomalous_fraction";
    /**
     * Scored windows (gold_predictions, stream_scores): the anomaly detectors' score over their threshold (1 = the
     * threshold; io.fosm.models.AnomalyModel) and whether it reaches it; null when the model has no detectors.
     */
    public static final String ANOMALY_SCORE = "anomaly_score";
    public static final String ANOMALOUS = "anomalous";
    public static final String UPDATE_SEQ = "update_seq";
    public static final String TRACK_TIMES = "track_times";
    public static final String TRACK_CHANNELS = "track_channels";
    public static final String EVALUATION_ID = "evaluation_id";
    public static final String EVALUATED_AT = "evaluated_at";
    public static final String METRIC = "metric";
    public static final String DETAIL_JSON = "detail_json";

    // drift: reference profiles and reports
    public static final String RUN_ID = "run_id";
    public static final String REFERENCE = "reference";
    public static final String CREATED_AT = "created_at";
    public static final String KIND = "kind";
    public static final String FEATURE = "feature";
    public static final String VALUE_COUNT = "value_count";
    public static final String INVALID_COUNT = "invalid_count";
    public static final String BIN_EDGES = "bin_edges";
    public static final String BIN_FRACTIONS = "bin_fractions";
    public static final String SAMPLE = "sample";
    public static final String VALUE = "value";
    public static final String REFERENCE_VALUE = "reference_value";
    public static final String REPORT_START = "report_start";
    public static final String REPORT_END = "report_end";
    public static final String PSI = "psi";
    public static final String KS_STATISTIC = "ks_statistic";
    public static final String KS_PVALUE = "ks_pvalue";
    public static final String JS_DISTANCE = "js_distance";
    public static final String WASSERSTEIN = "wasserstein";
    public static final String FLAGGED = "flagged";
    public static final String WINDOW_DRIFTED = "window_drifted";
    public static final String REPORTED_AT = "reported_at";

    /** The label of windows that no event covers. */
    public static final String BACKGROUND = "background";
}
