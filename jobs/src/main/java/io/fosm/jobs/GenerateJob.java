package io.fosm.jobs;

import io.fosm.generate.GenerateCommand;
import java.util.List;

/** {@code fosm generate}: the synthetic fiber; runs on the driver only (no Spark tasks), see GenerateCommand. */
final class GenerateJob {
    private GenerateJob() {}

    static String usage() {
        return GenerateCommand.usage();
    }

    static int run(List<String> args) {
        return GenerateCommand.run(args.toArray(new String[0]), System.out, System.err);
    }
}
