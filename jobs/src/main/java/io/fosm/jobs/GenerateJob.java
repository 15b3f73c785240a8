package io.fosm.jobs;

import io.fosm.generate.GenerateCommand;
import io.fosm.spark.Sessions;
import java.util.List;
import java.util.Map;

/**
 * {@code fosm generate}: the synthetic fiber; runs on the driver only (no Spark tasks), see GenerateCommand. It writes
 * through the Hadoop FileSystem API with the file system settings a job's session would get (spark-submit's
 * {@code spark.hadoop.*} and the {@code s3.*} keys of the configuration the environment selects), so
 * {@code --out s3a://...} reaches the same store as the jobs.
 */
final class GenerateJob {
    private GenerateJob() {}

    static String usage() {
        return GenerateCommand.usage();
    }

    static int run(List<String> args, Map<String, String> env) {
        return GenerateCommand.run(args.toArray(new String[0]),
                () -> Sessions.hadoopConfiguration(JobArgs.parse("generate", List.of(), env).config(env)),
                System.out, System.err);
    }
}
