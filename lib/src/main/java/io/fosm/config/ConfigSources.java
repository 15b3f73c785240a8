package io.fosm.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layered key/value configuration with provenance: every value remembers where it came from, so a bad value
 * is reported as "key 'gold.hop_seconds' (from env FOSM_GOLD_HOP_SECONDS)".
 *
 * <p>Layers, later wins: the jar's {@code fosm/conf/defaults.properties}, the profile's
 * {@code fosm/conf/<profile>.properties}, an optional external file, environment variables {@code FOSM_<KEY>}
 * and {@code --conf key=value} overrides. Keys not declared in defaults (or matching a per-fiber pattern, or the
 * Kafka pass-through prefix {@code stream.kafka.option.}) are rejected, which catches typos that would otherwise
 * silently fall back to a default.
 *
 * <p>A value may reference another key as {@code ${key}} and an environment variable as {@code ${env:NAME}} (how
 * secrets reach the configuration without being written to a file); other {@code ${provider:...}} forms are left as
 * they are for the client that understands them (Kafka's config providers).
 */
public final class ConfigSources {
    private static final Pattern FIBER_KEY =
            Pattern.compile("fiber\\.([A-Za-z0-9_-]+)\\.(channels|sample_rate|spacing_m|filter\\.bandpass|filter\\.savgol|first_channel|bands|window_seconds|hop_seconds|route)");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");
    /** Kafka client settings of the stream, passed through to the Kafka source and sink without being declared. */
    public static final String KAFKA_OPTION_PREFIX = "stream.kafka.option.";
    private static final Pattern KAFKA_OPTION = Pattern.compile(Pattern.quote(KAFKA_OPTION_PREFIX) + "[A-Za-z0-9._-]+");

    private final Map<String, String> values = new LinkedHashMap<>();
    /** Keys declared by conf/defaults.properties, and keys the parser asked for (see {@link FosmConfig#keys()}). */
    private final java.util.Set<String> declared = new java.util.TreeSet<>();
    private final java.util.Set<String> asked = java.util.Collections.synchronizedSet(new java.util.TreeSet<>());
    private final Map<String, String> origins = new LinkedHashMap<>();
    private final Map<String, String> env;

    private ConfigSources(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Loads defaults and the profile from the classpath, then the file, environment and overrides. */
    public static ConfigSources load(String profile, Path externalFile, Map<String, String> env, List<String> overrides) {
        ConfigSources sources = new ConfigSources(env);
        sources.putAll(readResource("defaults"), "conf/defaults.properties", true);
        if (profile != null && !profile.isBlank()) {
            sources.putAll(readResource(profile), "conf/" + profile + ".properties", false);
        }
        if (externalFile != null) {
            sources.putAll(readFile(externalFile), externalFile.toString(), false);
        }
        // the variable every MLflow client reads: a shell set up for `mlflow` reaches the same server from the jobs
        if (env.containsKey(MLFLOW_TRACKING_URI_ENV) && !env.get(MLFLOW_TRACKING_URI_ENV).isBlank()) {
            sources.put("mlflow.tracking_uri", env.get(MLFLOW_TRACKING_URI_ENV).trim(), "env " + MLFLOW_TRACKING_URI_ENV, false);
        }
        for (String key : List.copyOf(sources.values.keySet())) {
            String envName = envName(key);
            if (env.containsKey(envName)) {
                sources.put(key, env.get(envName), "env " + envName, false);
            }
        }
        // the lakehouse root is the one key users set from the environment before any file mentions it
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith("FOSM_") && !sources.hasEnvKey(e.getKey()) && !RESERVED_ENV.contains(e.getKey())) {
                throw new ConfigException("Cannot load config: environment variable " + e.getKey()
                        + " matches no configuration key (expected FOSM_<KEY> for a key of conf/defaults.properties)");
            }
        }
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("Cannot parse --conf '" + override + "': expected key=value");
            }
            sources.put(override.substring(0, eq).trim(), override.substring(eq + 1).trim(), "--conf", false);
        }
        return sources;
    }

    /** Environment variables with the FOSM_ prefix that select things (read by bin/fosm or the CLI), not keys. */
    private static final List<String> RESERVED_ENV = List.of("FOSM_PROFILE", "FOSM_CONF_FILE", "FOSM_JAR",
            "FOSM_MASTER", "FOSM_DRIVER_MEMORY", "FOSM_SPARK_SUBMIT_ARGS",
            // read by bin/mlflow-server, which the same shell (make test) runs
            "FOSM_MLFLOW_PORT", "FOSM_MLFLOW_START_TIMEOUT",
            // provenance tag of training runs, set by bin/fosm from git
            "FOSM_GIT_COMMIT",
            // where the real interrogator sample files are (tests, make demo, bench)
            "FOSM_DAS_SAMPLES",
            // the fault-injection hook (io.fosm.reliability.FaultPoints, docs/reliability.md), validated there
            io.fosm.reliability.FaultPoints.ENV);

    /** MLflow's own variable for the tracking server; it overrides mlflow.tracking_uri of the files. */
    static final String MLFLOW_TRACKING_URI_ENV = "MLFLOW_TRACKING_URI";

    private boolean hasEnvKey(String envName) {
        return values.keySet().stream().anyMatch(k -> envName(k).equals(envName));
    }

    static String envName(String key) {
        return "FOSM_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private void putAll(Map<String, String> props, String origin, boolean declaring) {
        props.forEach((k, v) -> put(k, v, origin, declaring));
    }

    private void put(String key, String value, String origin, boolean declaring) {
        if (!declaring && !values.containsKey(key) && !FIBER_KEY.matcher(key).matches()
                && !KAFKA_OPTION.matcher(key).matches()) {
            throw new ConfigException("Cannot load config: unknown key '" + key + "' in " + origin
                    + " (known keys are those of conf/defaults.properties, fiber.<id>.<setting> and "
                    + KAFKA_OPTION_PREFIX + "<kafka-key>)");
        }
        if (declaring) {
            declared.add(key);
        }
        values.put(key, value);
        origins.put(key, origin);
    }

    /**
     * The keys of this configuration in documentation form: those conf/defaults.properties declares and those read
     * through {@link #raw} or {@link #withPrefix}, with per-fiber keys as {@code fiber.<id>.<setting>} and Kafka
     * pass-through keys as {@code stream.kafka.option.<kafka-key>}.
     */
    java.util.SortedSet<String> keys() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        List<String> all = new java.util.ArrayList<>(declared);
        synchronized (asked) {
            all.addAll(asked);
        }
        for (String key : all) {
            Matcher fiber = FIBER_KEY.matcher(key);
            out.add(fiber.matches() ? "fiber.<id>." + fiber.group(2) : key);
        }
        return out;
    }

    /** The raw value with ${key} references resolved, or null when the key is absent. */
    public String raw(String key) {
        asked.add(key);
        String value = values.get(key);
        return value == null ? null : resolve(key, value, 0, true);
    }

    /**
     * The resolved values of all keys that start with the prefix, keyed by the rest of the key (sorted), e.g.
     * {@code withPrefix("stream.kafka.option.")} gives {@code security.protocol -> SASL_SSL}.
     */
    public Map<String, String> withPrefix(String prefix) {
        asked.add(prefix + (prefix.equals(KAFKA_OPTION_PREFIX) ? "<kafka-key>" : "<key>"));
        Map<String, String> out = new java.util.TreeMap<>();
        values.keySet().stream().filter(k -> k.startsWith(prefix) && k.length() > prefix.length())
                .forEach(k -> out.put(k.substring(prefix.length()), raw(k)));
        return out;
    }

    private String resolve(String key, String value, int depth, boolean withEnv) {
        if (depth > 10) {
            throw new ConfigException("Cannot resolve key '" + key + "': ${...} references form a cycle");
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            if (ref.startsWith("env:")) {
                String name = ref.substring(4);
                String envValue = env.get(name);
                if (withEnv && envValue == null) {
                    throw new ConfigException("Cannot resolve key '" + key + "' (from " + origin(key)
                            + "): it references environment variable " + name + ", which is not set");
                }
                // printing the configuration shows where a secret comes from, never the secret
                m.appendReplacement(out, Matcher.quoteReplacement(withEnv ? envValue : m.group()));
                continue;
            }
            if (ref.contains(":")) {
                // ${file:/path:key} and the like belong to the client's own config providers (keys never hold ':')
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            String refValue = values.get(ref);
            if (refValue == null) {
                throw new ConfigException("Cannot resolve key '" + key + "' (from " + origin(key) + "): it references unknown key '"
                        + ref + "'");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(ref, refValue, depth + 1, withEnv)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Where the key's value came from, for error messages. */
    public String origin(String key) {
        return origins.getOrDefault(key, "defaults");
    }

    /**
     * All keys and resolved values, for printing the effective configuration; {@code ${env:NAME}} references stay
     * as they are, so secrets taken from the environment are never printed.
     */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, resolve(k, v, 0, false)));
        return out;
    }

    private static Map<String, String> readResource(String name) {
        String path = "fosm/conf/" + name + ".properties";
        try (InputStream in = ConfigSources.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new ConfigException("Cannot load profile '" + name + "': no " + path
                        + " on the classpath (profiles are the files of conf/, e.g. local or cluster)");
            }
            return toMap(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + path + ": " + e.getMessage());
        }
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("Cannot read config file " + file + ": no such file");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return toMap(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private static Map<String, String> toMap(Reader reader) throws IOException {
        Properties props = new Properties();
        props.load(reader);
        Map<String, String> out = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, props.getProperty(k).trim()));
        return out;
    }
}
