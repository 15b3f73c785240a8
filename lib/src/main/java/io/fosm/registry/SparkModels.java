package io.fosm.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;

/**
 * Saves and loads PipelineModels from a driver-local folder. Spark ML writes and reads part of a model (stage
 * data as Parquet) in executor tasks, so on a cluster a driver-local path is invisible to them: there the model is
 * staged through a temporary folder of the default Hadoop file system, as {@code mlflow.spark} does with its
 * {@code dfs_tmpdir}.
 */
public final class SparkModels {
    private SparkModels() {}

    public static void save(PipelineModel model, Path localDir) throws IOException {
        SparkSession spark = SparkSession.active();
        if (spark.sparkContext().isLocal()) {
            model.write().overwrite().save(localDir.toUri().toString());
            return;
        }
        org.apache.hadoop.fs.Path staged = stagingPath();
        FileSystem fs = staged.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try {
            model.write().overwrite().save(fs.makeQualified(staged).toString());
            fs.copyToLocalFile(false, staged, new org.apache.hadoop.fs.Path(localDir.toUri()), true);
        } finally {
            fs.delete(staged, true);
        }
    }

    public static PipelineModel load(SparkSession spark, Path localDir) throws IOException {
        if (spark.sparkContext().isLocal()) {
            return PipelineModel.load(localDir.toUri().toString());
        }
        org.apache.hadoop.fs.Path staged = stagingPath();
        FileSystem fs = staged.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try {
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(localDir.toUri()), staged);
            // load() collects stage data into the driver, so the staged copy can go right after
            return PipelineModel.load(fs.makeQualified(staged).toString());
        } finally {
            fs.delete(staged, true);
        }
    }

    private static org.apache.hadoop.fs.Path stagingPath() {
        return new org.apache.hadoop.fs.Path("/tmp/fosm-mlflow/" + UUID.randomUUID());
    }
}
