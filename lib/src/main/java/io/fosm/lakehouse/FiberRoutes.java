package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;

import io.fosm.config.FiberSpec;
import io.fosm.config.FosmConfig;
import io.fosm.geometry.FiberRoute;
import io.fosm.geometry.RouteFile;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The route of every registered fiber ({@link FiberRoute}), loaded once on the driver: its route file
 * ({@code fiber.<id>.route}, CSV or GeoJSON) when it has one, else a straight route at its channel spacing. The
 * spacing is the one its interrogator files declare (the latest file of the fiber in {@code bronze_files} that
 * declares one), else {@code fiber.<id>.spacing_m}.
 */
public final class FiberRoutes implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The geometry columns gold, predictions and stream scores carry per (fiber, channel). */
    public static final StructType GEOMETRY = new StructType()
            .add(FIBER_ID, DataTypes.StringType, false)
            .add(CHANNEL, DataTypes.IntegerType, false)
            .add(CHAINAGE_M, DataTypes.DoubleType, true)
            .add(LATITUDE, DataTypes.DoubleType, true)
            .add(LONGITUDE, DataTypes.DoubleType, true);

    private final Map<String, FiberRoute> routes;
    private final Map<String, FiberSpec> fibers;

    private FiberRoutes(Map<String, FiberRoute> routes, Map<String, FiberSpec> fibers) {
        this.routes = routes;
        this.fibers = fibers;
    }

    /** Loads the routes of every registered fiber (reads each route file and bronze_files' spacings). */
    public static FiberRoutes load(SparkSession spark, FosmConfig config) {
        Map<String, Double> fileSpacing = new LinkedHashMap<>();
        String files = Tables.BRONZE_FILES.path(config);
        if (Delta.exists(spark, files)) {
            for (Row r : spark.read().format("delta").load(files).filter(col(CHANNEL_SPACING_M).isNotNull())
                    .groupBy(FIBER_ID).agg(org.apache.spark.sql.functions.max_by(col(CHANNEL_SPACING_M), col(START_TIME)))
                    .collectAsList()) {
                fileSpacing.put(r.getString(0), r.getDouble(1));
            }
        }
        Map<String, FiberRoute> routes = new LinkedHashMap<>();
        for (FiberSpec f : config.fibers().values()) {
            double spacing = fileSpacing.getOrDefault(f.fiberId(), f.spacingM());
            routes.put(f.fiberId(), f.route() == null ? FiberRoute.straight(spacing)
                    : RouteFile.parse(f.route(), readText(spark, f.route()), spacing));
        }
        return new FiberRoutes(routes, config.fibers());
    }

    /** Routes of fibers given directly (tests, tools). */
    public static FiberRoutes of(Map<String, FiberRoute> routes, Map<String, FiberSpec> fibers) {
        return new FiberRoutes(Map.copyOf(routes), Map.copyOf(fibers));
    }

    private static String readText(SparkSession spark, String file) {
        Path path = new Path(file);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataInputStream in = fs.open(path)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new RouteFile.RouteFileException(file, "", "cannot open it (" + e.getMessage() + ")");
        }
    }

    /** The route of a fiber, or null for a fiber not in the registry. */
    public FiberRoute route(String fiberId) {
        return routes.get(fiberId);
    }

    /** Chainage of a fiber's channel in metres; NaN for an unknown fiber, a dead zone or off the route. */
    public double chainageM(String fiberId, double channel) {
        FiberRoute r = routes.get(fiberId);
        return r == null ? Double.NaN : r.chainageM(channel);
    }

    /** One row per registered channel: chainage and coordinates (null where there are none). */
    public Dataset<Row> channelTable(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (FiberSpec f : fibers.values()) {
            FiberRoute r = routes.get(f.fiberId());
            for (int c = f.firstChannel(); c <= f.lastChannel(); c++) {
                double chainage = r.chainageM(c);
                rows.add(RowFactory.create(f.fiberId(), c, nullIfNaN(chainage), nullIfNaN(r.latitude(chainage)),
                        nullIfNaN(r.longitude(chainage))));
            }
        }
        return spark.createDataFrame(rows, GEOMETRY);
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** Adds chainage_m, latitude and longitude to rows keyed by (fiber_id, channel): a broadcast join. */
    public Dataset<Row> withGeometry(Dataset<Row> rows) {
        Dataset<Row> geo = channelTable(rows.sparkSession()).withColumnRenamed(FIBER_ID, "_g_fiber")
                .withColumnRenamed(CHANNEL, "_g_channel");
        List<org.apache.spark.sql.Column> keep = new ArrayList<>();
        for (String c : rows.columns()) {
            keep.add(rows.col(c));
        }
        keep.add(col(CHAINAGE_M));
        keep.add(col(LATITUDE));
        keep.add(col(LONGITUDE));
        return rows.join(org.apache.spark.sql.functions.broadcast(geo), rows.col(FIBER_ID).equalTo(col("_g_fiber"))
                        .and(rows.col(CHANNEL).equalTo(col("_g_channel"))), "left")
                .select(keep.toArray(new org.apache.spark.sql.Column[0]));
    }
}
