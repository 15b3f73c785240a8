package io.fosm.cli;

import io.fosm.config.ConfigSources;
import io.fosm.config.FosmConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration options every command shares (a picocli mixin): {@code --profile NAME}, {@code --conf-file FILE}
 * and {@code --conf key=value} (repeatable), layered as docs/configuration.md describes. Without options the profile
 * is {@code $FOSM_PROFILE} (else {@code local}) and the file {@code $FOSM_CONF_FILE}.
 */
public final class ConfigOptions {
    @Option(names = "--profile", paramLabel = "NAME", converter = Cli.NonEmpty.class,
            description = "configuration profile of conf/ (default: $FOSM_PROFILE or local)")
    private String profile;

    @Option(names = "--conf-file", paramLabel = "FILE", description = "extra properties file layered over the profile"
            + " (default: $FOSM_CONF_FILE)")
    private Path confFile;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "override one key (repeatable), e.g. --conf lakehouse.root=s3a://bucket/lake")
    private List<String> overrides = new ArrayList<>();

    /** The selected profile. */
    public String profile(Map<String, String> env) {
        return profile != null ? profile : env.getOrDefault("FOSM_PROFILE", "local");
    }

    /** The external properties file, if any. */
    public Path confFile(Map<String, String> env) {
        return confFile != null ? confFile : env.containsKey("FOSM_CONF_FILE") ? Path.of(env.get("FOSM_CONF_FILE"))
                : null;
    }

    /** The {@code --conf} overrides, in order. */
    public List<String> overrides() {
        return List.copyOf(overrides);
    }

    /** Loads and validates the configuration these options select ({@code ConfigException}: exit 2). */
    public FosmConfig config(Map<String, String> env) {
        return FosmConfig.load(profile(env), confFile(env), env, overrides());
    }

    /** The raw layered values these options select (what {@code fosm config} prints). */
    public ConfigSources sources(Map<String, String> env) {
        return ConfigSources.load(profile(env), confFile(env), env, overrides());
    }
}
