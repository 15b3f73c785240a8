package io.fosm.jobs;

import io.fosm.kafka.ReplayCommand;
import java.util.List;

/** {@code fosm replay}: a live feed into Kafka; runs on the driver only (no Spark tasks), see ReplayCommand. */
final class ReplayJob {
    private ReplayJob() {}

    static String usage() {
        return ReplayCommand.usage();
    }

    static int run(List<String> args) {
        return ReplayCommand.run(args.toArray(new String[0]), System.out, System.err);
    }
}
