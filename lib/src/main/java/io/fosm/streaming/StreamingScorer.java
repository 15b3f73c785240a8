package io.fosm.streaming;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.FiberFeatures;
import io.fosm.models.Promotion;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * {@code fosm stream}: chunks (Kafka or a folder of chunk files) -> validation (silver's rules) -> windows, features
 * and context (gold's code) -> champion scores -> incidents, exactly once.
 *
 * <p>Stages: decode and validate (stateless, per partition); {@link ChannelStitching} per (fiber, channel) (group
 * state: the stitcher and temporal context); {@link FiberFinalizer} per fiber (group state: windows waiting for the
 * fiber's event-time watermark, then spatial context); then, per micro-batch on the driver,
 * {@link StreamBatchWriter}: scoring with the registry's champion, {@code stream_scores}, {@code stream_dead_letter},
 * {@code incidents} (Delta, idempotent per batch) and the optional Kafka topics.
 *
 * <p>The group state of both stages is fosm's own versioned encoding ({@link StreamStateCodec}), not Java
 * serialization: a checkpoint survives changes of the state classes, and one of an older release still restarts.
 *
 * <p>Cost per micro-batch: two shuffles (by channel, then by fiber; the second carries feature rows only), the state
 * store commits of both stages, one scoring pass and the Delta commits. Parallelism: {@code spark.sql.shuffle.partitions}
 * for the channel stage (fixed by the checkpoint once started); the fiber stage runs one task per fiber.
 */
public final class StreamingScorer {
    private StreamingScorer() {}

    /** Builds the pipeline up to the rows the batch writer receives (windows with features, and dead letters). */
    public static Dataset<StreamRow> rows(Dataset<ChunkInput> chunks, FosmConfig config) {
        // the same per-fiber settings as gold: each fiber's windows and bands at its own rate
        FiberFeatures features = FiberFeatures.of(config);
        int powerIndex = Arrays.asList(features.modelColumns()).indexOf("total_power");
        java.util.Map<String, Long> watermarkSamples = new java.util.HashMap<>();
        config.fibers().values().forEach(f -> watermarkSamples.put(f.fiberId(),
                Math.round(config.stream().watermarkSeconds() * f.sampleRate())));
        Dataset<StreamRow> windows = chunks
                .groupByKey((MapFunction<ChunkInput, String>) ChunkInput::getKey, Encoders.STRING())
                .flatMapGroupsWithState(new ChannelStitching(features, config.gold().temporalWindows(),
                                config.gold().lookaheadWindows(), config.gold().baselineWindows()), OutputMode.Append(),
                        Encoders.BINARY(), Encoders.bean(StreamRow.class),
                        GroupStateTimeout.NoTimeout());
        return windows
                .groupByKey((MapFunction<StreamRow, String>) StreamingScorer::fiberKey, Encoders.STRING())
                .flatMapGroupsWithState(new FiberFinalizer(config.gold().neighborChannels(), watermarkSamples,
                                powerIndex, io.fosm.lakehouse.Gold.motionByFiber(config), features), OutputMode.Append(),
                        Encoders.BINARY(),
                        Encoders.bean(StreamRow.class), GroupStateTimeout.NoTimeout());
    }

    private static String fiberKey(StreamRow r) {
        if (StreamRow.WINDOW.equals(r.getKind())) {
            return r.getFiberId();
        }
        // dead letters need no fiber state: spread them
        return "!" + Math.floorMod(String.valueOf(r.getSource()).hashCode() + String.valueOf(r.getChannel()).hashCode(), 4);
    }

    /**
     * Starts the stream on the configured source and checkpoint. {@code trigger} null means a processing-time
     * trigger of {@code stream.trigger_seconds}; hooks run on the driver after each micro-batch has been written.
     */
    public static StreamingQuery start(SparkSession spark, FosmConfig config, Trigger trigger,
                                       List<Consumer<StreamBatchWriter.BatchSummary>> hooks) throws TimeoutException {
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        long checkMillis = Math.round(config.stream().modelCheckSeconds() * 1000);
        ModelWatch champion = new ModelWatch(spark, registry, config.mlflow().modelName(), Promotion.CHAMPION,
                checkMillis, System::currentTimeMillis);
        ModelWatch challenger = config.stream().shadow() ? new ModelWatch(spark, registry, config.mlflow().modelName(),
                Promotion.CHALLENGER, checkMillis, System::currentTimeMillis) : null;
        StreamBatchWriter writer = new StreamBatchWriter(config, champion, challenger, new ArrayList<>(hooks),
                io.fosm.lakehouse.FiberRoutes.load(spark, config));
        Dataset<ChunkInput> chunks = StreamSources.chunks(StreamSources.raw(spark, config), config);
        Trigger t = trigger != null ? trigger
                : Trigger.ProcessingTime(Math.round(config.stream().triggerSeconds() * 1000));
        return rows(chunks, config).writeStream()
                .queryName("fosm-stream")
                .outputMode(OutputMode.Append())
                .option("checkpointLocation", config.stream().checkpoint())
                .trigger(t)
                .foreachBatch(writer)
                .start();
    }
}
