package io.fosm.jobs;

import io.fosm.config.ConfigException;
import io.fosm.config.FosmConfig;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options every Spark subcommand shares: {@code --profile NAME}, {@code --conf-file FILE},
 * {@code --conf key=value} (repeatable) and {@code --date YYYY-MM-DD} (process one event date).
 */
public record JobArgs(String profile, Optional<Path> confFile, List<String> overrides, Optional<LocalDate> date) {

    public static final String USAGE = """
            common options:
                --profile NAME        configuration profile of conf/ (default: $FOSM_PROFILE or local)
                --conf-file FILE      extra properties file layered over the profile
                --conf KEY=VALUE      override one key (repeatable), e.g. --conf lakehouse.root=s3a://bucket/lake
                --date YYYY-MM-DD     process one event date only (default: everything)""";

    /** Parses the shared options; anything else is an error naming the argument. */
    public static JobArgs parse(String command, List<String> args, Map<String, String> env) {
        String profile = env.getOrDefault("FOSM_PROFILE", "local");
        Optional<Path> confFile = Optional.ofNullable(env.get("FOSM_CONF_FILE")).map(Path::of);
        List<String> overrides = new ArrayList<>();
        Optional<LocalDate> date = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--profile" -> profile = value(command, args, ++i, arg);
                case "--conf-file" -> confFile = Optional.of(Path.of(value(command, args, ++i, arg)));
                case "--conf" -> overrides.add(value(command, args, ++i, arg));
                case "--date" -> {
                    String v = value(command, args, ++i, arg);
                    try {
                        date = Optional.of(LocalDate.parse(v));
                    } catch (DateTimeParseException e) {
                        throw new ConfigException("Cannot parse --date of " + command + ": expected YYYY-MM-DD, got '" + v + "'");
                    }
                }
                default -> throw new ConfigException("Cannot run " + command + ": unknown argument '" + arg + "'\n" + USAGE);
            }
        }
        return new JobArgs(profile, confFile, List.copyOf(overrides), date);
    }

    private static String value(String command, List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new ConfigException("Cannot parse " + option + " of " + command + ": it needs a value");
        }
        return args.get(i);
    }

    /** Loads and validates the configuration these options select. */
    public FosmConfig config(Map<String, String> env) {
        return FosmConfig.load(profile, confFile.orElse(null), env, overrides);
    }
}
