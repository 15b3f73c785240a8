package io.fosm.lakehouse;

import io.fosm.config.FosmConfig;

/**
 * The lakehouse tables: one name and one relative location each, resolved against {@code lakehouse.root}.
 * All tables are path-based Delta tables, so a lakehouse is just a folder (local, hdfs:// or s3a://).
 */
public enum Tables {
    BRONZE("bronze_chunks", "bronze/chunks"),
    BRONZE_QUARANTINE("bronze_quarantine", "bronze/quarantine"),
    /** One row per ingested landing file: format, rate, spacing, unit, scale, time and channel range, sha256. */
    BRONZE_FILES("bronze_files", "bronze/files"),
    /** Vendor band energies of PRODML frequency-band-energy files: fiber x channel x band x chunk. */
    BRONZE_BAND_ENERGY("bronze_band_energy", "bronze/band_energy"),
    SILVER("silver_chunks", "silver/chunks"),
    SILVER_QUARANTINE("silver_quarantine", "silver/quarantine"),
    /** Write-audit-publish staging area: the candidate silver batch that Deequ audits before it is published. */
    SILVER_STAGING("silver_staging", "silver/_staging"),
    GOLD_FEATURES("gold_features", "gold/features"),
    /** Champion scores of gold windows ({@code fosm score}). */
    GOLD_PREDICTIONS("gold_predictions", "gold/predictions"),
    /** The stream's scored windows: gold's features plus champion (and shadow challenger) scores. */
    STREAM_SCORES("stream_scores", "stream/scores"),
    /** Records and windows the stream could not use, with the reason and the raw payload. */
    STREAM_DEAD_LETTER("stream_dead_letter", "stream/dead_letter"),
    /** Incidents raised by the stream: a log of incident states, the latest (highest update_seq) wins. */
    INCIDENTS("incidents", "stream/incidents"),
    /** The incident tracker's state after each micro-batch (internal, read back on replay and restart). */
    STREAM_INCIDENT_STATE("stream_incident_state", "stream/_incident_state"),
    /** Event-level evaluations ({@code fosm evaluate}): one row per figure. */
    EVENT_EVALUATION("event_evaluation", "evaluation/events"),
    /** Reference profiles of trained models (per feature quantile bins, a sample), for drift detection. */
    DRIFT_REFERENCE("drift_reference", "drift/reference"),
    /** Drift statistics per report window and feature ({@code fosm drift}, the streaming job). */
    DRIFT_REPORTS("drift_reports", "drift/reports");

    /** Deequ's metrics repository (a JSON file) inside the lakehouse. */
    public static final String DEEQU_METRICS = "_quality/deequ-metrics.json";

    private final String tableName;
    private final String relativePath;

    Tables(String tableName, String relativePath) {
        this.tableName = tableName;
        this.relativePath = relativePath;
    }

    public String tableName() {
        return tableName;
    }

    /** The table's location under the configured lakehouse root. */
    public String path(FosmConfig config) {
        return config.tablePath(relativePath);
    }
}
