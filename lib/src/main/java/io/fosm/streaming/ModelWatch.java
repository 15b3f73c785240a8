package io.fosm.streaming;

import io.fosm.models.Promotion;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;

/**
 * The model behind one registry alias, reloaded when the alias moves: the stream asks the registry at most every
 * {@code checkMillis} (at micro-batch boundaries, on the driver) and loads the new version ({@link Promotion#load},
 * which repairs XGBoost stages), so a promotion or rollback reaches the running stream without a restart.
 */
public final class ModelWatch {
    /** A loaded version with its classes and the anomaly detectors registered with it (if any). */
    public record Loaded(ModelVersion version, PipelineModel model, List<String> classes,
                         Optional<io.fosm.models.AnomalyModel> anomaly) {
        public Loaded(ModelVersion version, PipelineModel model, List<String> classes) {
            this(version, model, classes, Optional.empty());
        }
    }

    private final SparkSession spark;
    private final ModelRegistry registry;
    private final String modelName;
    private final String alias;
    private final long checkMillis;
    private final LongSupplier clock;
    private Optional<Loaded> current = Optional.empty();
    private long checkedAt = Long.MIN_VALUE;
    private int reloads;

    public ModelWatch(SparkSession spark, ModelRegistry registry, String modelName, String alias, long checkMillis,
                      LongSupplier clock) {
        this.spark = spark;
        this.registry = registry;
        this.modelName = modelName;
        this.alias = alias;
        this.checkMillis = checkMillis;
        this.clock = clock;
    }

    /** The alias's model, looking the alias up again if the last look is older than the check interval. */
    public Optional<Loaded> get() {
        long now = clock.getAsLong();
        if (checkedAt == Long.MIN_VALUE || now - checkedAt >= checkMillis) {
            boolean first = checkedAt == Long.MIN_VALUE;
            checkedAt = now;
            Optional<ModelVersion> v;
            try {
                v = registry.byAlias(modelName, alias);
            } catch (RuntimeException e) {
                if (first) {
                    throw e;   // a stream that cannot reach its registry at start should not start
                }
                // a registry outage later must not stop scoring: keep the loaded version, ask again next interval
                System.err.println("fosm stream: Cannot look up alias '" + alias + "' of " + modelName
                        + ", keeping version " + current.map(l -> l.version().version()).orElse("none") + ": "
                        + e.getMessage());
                return current;
            }
            if (v.isEmpty()) {
                current = Optional.empty();
            } else if (current.isEmpty() || !current.get().version().version().equals(v.get().version())) {
                current = Optional.of(new Loaded(v.get(), Promotion.load(spark, registry, v.get()),
                        Promotion.classes(v.get()), Promotion.loadAnomaly(registry, v.get())));
                reloads++;
            }
        }
        return current;
    }

    /** How many times a version was loaded (the first load included). */
    public int loads() {
        return reloads;
    }

    public String alias() {
        return alias;
    }
}
