package io.fosm.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FosmConfigTest {

    @Test
    void localProfileLoadsDefaultsAndProfile() {
        FosmConfig c = FosmConfig.local();
        assertEquals("local[2]", c.sparkMaster().orElseThrow());
        assertEquals(java.nio.file.Path.of("lakehouse/landing").toAbsolutePath().toString(), c.landingPath());
        assertEquals(64, c.fibers().get("demo").channels());
        assertEquals(256, c.fibers().get("fiber-1").channels());
        assertEquals(5, c.gold().bands().size());
        assertEquals(0.5, c.gold().hopSeconds());
    }

    @Test
    void clusterProfileLeavesTheMasterToSparkSubmit() {
        FosmConfig c = FosmConfig.load("cluster", null, Map.of(), List.of());
        assertTrue(c.sparkMaster().isEmpty());
        assertFalse(c.fibers().containsKey("demo"));
    }

    @Test
    void layersApplyInOrderAndReferencesResolve(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("site.properties");
        Files.writeString(file, "lakehouse.root = /data/lake\ngold.hop_seconds = 0.25\n");
        FosmConfig c = FosmConfig.load("local", file, Map.of("FOSM_GOLD_HOP_SECONDS", "0.2"),
                List.of("gold.window_seconds=2.0"));
        assertEquals("/data/lake/landing", c.landingPath(), "landing.path follows ${lakehouse.root}");
        assertEquals(0.2, c.gold().hopSeconds(), "environment beats the file");
        assertEquals(2.0, c.gold().windowSeconds(), "--conf beats everything");
    }

    @Test
    void mlflowTrackingUriFromMlflowEnvBeatsFilesButNotFosmEnvOrConf(@TempDir Path dir) throws Exception {
        assertEquals(new FosmConfig.Mlflow("http://127.0.0.1:5055", "fosm", "fosm-event-classifier"),
                FosmConfig.local().mlflow(), "defaults");
        Path file = dir.resolve("site.properties");
        Files.writeString(file, "mlflow.tracking_uri = http://file-host:5000\n");
        assertEquals("http://file-host:5000", FosmConfig.load("local", file, Map.of(), List.of()).mlflow().trackingUri());
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://env-host:5000");
        assertEquals("http://env-host:5000", FosmConfig.load("local", file, env, List.of()).mlflow().trackingUri(),
                "MLFLOW_TRACKING_URI beats the file");
        Map<String, String> both = Map.of("MLFLOW_TRACKING_URI", "http://env-host:5000",
                "FOSM_MLFLOW_TRACKING_URI", "http://fosm-host:5000");
        assertEquals("http://fosm-host:5000", FosmConfig.load("local", file, both, List.of()).mlflow().trackingUri());
        assertEquals("http://conf-host:5000", FosmConfig.load("local", file, env,
                List.of("mlflow.tracking_uri=http://conf-host:5000")).mlflow().trackingUri(), "--conf beats everything");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> FosmConfig.load("local", null, Map.of("MLFLOW_TRACKING_URI", "file:///tmp/mlruns"), List.of()));
        assertEquals("Invalid mlflow.tracking_uri (from env MLFLOW_TRACKING_URI): expected an http:// or https:// URI"
                + " of an MLflow tracking server, got 'file:///tmp/mlruns'", bad.getMessage());
        // bin/mlflow-server reads these from the same shell; they are not configuration keys
        assertDoesNotThrow(() -> FosmConfig.load("local", null, Map.of("FOSM_MLFLOW_PORT", "5056"), List.of()));
    }

    @Test
    void badValueNamesKeyOriginAndExpectation() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> FosmConfig.load("local", null, Map.of("FOSM_GOLD_HOP_SECONDS", "fast"), List.of()));
        assertEquals("Invalid gold.hop_seconds (from env FOSM_GOLD_HOP_SECONDS): expected a positive number, got 'fast'",
                e.getMessage());
    }

    @Test
    void unknownKeysAreRejectedNotIgnored() {
        ConfigException typo = assertThrows(ConfigException.class, () -> FosmConfig.local("gold.windw_seconds=2"));
        assertTrue(typo.getMessage().contains("unknown key 'gold.windw_seconds' in --conf"), typo.getMessage());
        ConfigException env = assertThrows(ConfigException.class,
                () -> FosmConfig.load("local", null, Map.of("FOSM_LAKEHOUSE_ROOTT", "x"), List.of()));
        assertTrue(env.getMessage().contains("FOSM_LAKEHOUSE_ROOTT"), env.getMessage());
    }

    @Test
    void hopLongerThanWindowAndBadBandsFail() {
        assertThrows(ConfigException.class, () -> FosmConfig.local("gold.hop_seconds=2", "gold.window_seconds=1"));
        ConfigException bands = assertThrows(ConfigException.class, () -> FosmConfig.local("gold.bands=10-5"));
        assertTrue(bands.getMessage().contains("bad band '10-5'"), bands.getMessage());
        ConfigException fraction = assertThrows(ConfigException.class,
                () -> FosmConfig.local("silver.max_quarantine_fraction=1.5"));
        assertTrue(fraction.getMessage().contains("a fraction between 0 and 1"), fraction.getMessage());
    }

    @Test
    void fiberRegistryAndFiltersAreValidated() {
        FosmConfig c = FosmConfig.local("fiber.demo.filter.bandpass=5,400,4", "fiber.demo.filter.savgol=11,3");
        FiberSpec demo = c.fibers().get("demo");
        assertEquals(new FiberSpec.BandpassSpec(5, 400, 4), demo.bandpass());
        assertEquals(new FiberSpec.SavgolSpec(11, 3), demo.savgol());
        ConfigException nyquist = assertThrows(ConfigException.class, () -> FosmConfig.local("fiber.demo.filter.bandpass=5,600"));
        assertTrue(nyquist.getMessage().startsWith("Invalid fiber.demo.filter.bandpass (from --conf)"), nyquist.getMessage());
        ConfigException even = assertThrows(ConfigException.class, () -> FosmConfig.local("fiber.demo.filter.savgol=10,3"));
        assertTrue(even.getMessage().contains("odd window"), even.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> FosmConfig.local("fibers=demo,ghost"));
        assertTrue(missing.getMessage().contains("fiber 'ghost' is listed but fiber.ghost.channels is not set"),
                missing.getMessage());
    }

    @Test
    void heldOutFibersMustBeRegisteredAndLeaveOneToTrainOn() {
        assertEquals(List.of(), FosmConfig.local().train().heldoutFibers(), "none by default");
        assertEquals(List.of("fiber-1"), FosmConfig.local("train.heldout_fibers= fiber-1 ,fiber-1").train()
                .heldoutFibers());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> FosmConfig.local("train.heldout_fibers=fiber-1,ghost"));
        assertTrue(unknown.getMessage().startsWith("Invalid train.heldout_fibers (from --conf)"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("'ghost' is not one"), unknown.getMessage());
        ConfigException all = assertThrows(ConfigException.class,
                () -> FosmConfig.local("train.heldout_fibers=demo,fiber-1"));
        assertTrue(all.getMessage().contains("training needs a fiber to learn from"), all.getMessage());
    }

    @Test
    void fibersMaySampleAtDifferentRatesWithTheirOwnBandsAndWindows() {
        FosmConfig c = FosmConfig.local("fiber.demo.sample_rate=200", "fiber.demo.bands=1-10,10-50,50-100",
                "fiber.demo.first_channel=-118", "fiber.demo.window_seconds=2", "fiber.demo.hop_seconds=1");
        FiberSpec demo = c.fibers().get("demo");
        assertEquals(200, demo.sampleRate());
        assertEquals(-118, demo.firstChannel());
        assertEquals(-118 + 64 - 1, demo.lastChannel());
        assertEquals(List.of("1.0-10.0", "10.0-50.0", "50.0-100.0"),
                demo.bands().stream().map(b -> b[0] + "-" + b[1]).toList());
        assertEquals(2.0, demo.windowSeconds());
        FiberSpec other = c.fibers().get("fiber-1");
        assertEquals(1000, other.sampleRate(), "the other fiber keeps its rate");
        assertEquals(5, other.bands().size(), "and gold.bands");
        assertEquals(c.gold().windowSeconds(), other.windowSeconds());
        assertEquals(java.util.List.of("fiber-1", "demo"), java.util.List.copyOf(FosmConfig.local().fibers().keySet()),
                "registry order is the order of the fibers key");
    }

    @Test
    void aBandAboveAFibersNyquistFrequencyNamesTheFiberAndTheBand() {
        ConfigException inherited = assertThrows(ConfigException.class,
                () -> FosmConfig.local("fiber.demo.sample_rate=500"));
        assertEquals("Invalid gold.bands (from conf/defaults.properties): band 200-500 Hz is above the Nyquist frequency"
                + " 250 Hz of fiber demo (fiber.demo.sample_rate 500); expected bands ending at or below 250 Hz"
                + " (give the fiber its own bands with fiber.demo.bands)",
                inherited.getMessage());
        ConfigException own = assertThrows(ConfigException.class,
                () -> FosmConfig.local("fiber.demo.sample_rate=200", "fiber.demo.bands=1-10,50-120"));
        assertEquals("Invalid fiber.demo.bands (from --conf): band 50-120 Hz is above the Nyquist frequency 100 Hz of"
                + " fiber demo (fiber.demo.sample_rate 200); expected bands ending at or below 100 Hz", own.getMessage());
        ConfigException shortWindow = assertThrows(ConfigException.class,
                () -> FosmConfig.local("fiber.demo.window_seconds=0.05", "fiber.demo.hop_seconds=0.05"));
        assertTrue(shortWindow.getMessage().startsWith("Invalid fiber.demo.window_seconds (from --conf): expected a"
                + " window of at least 64 samples"), shortWindow.getMessage());
        ConfigException first = assertThrows(ConfigException.class, () -> FosmConfig.local("fiber.demo.first_channel=x"));
        assertTrue(first.getMessage().startsWith("Invalid fiber.demo.first_channel (from --conf)"), first.getMessage());
    }

    @Test
    void s3KeysBecomeS3aSettingsAndNothingElse() {
        assertEquals(Map.of(), FosmConfig.local().s3().hadoopSettings(), "AWS S3 with S3A's own defaults");
        FosmConfig c = FosmConfig.load("local", null, Map.of("FOSM_S3_ENDPOINT", "http://127.0.0.1:9000"),
                List.of("s3.path_style_access=true"));
        assertEquals(Map.of("fs.s3a.endpoint", "http://127.0.0.1:9000", "fs.s3a.path.style.access", "true"),
                c.s3().hadoopSettings());
        assertEquals(Map.of("fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com"),
                FosmConfig.local("s3.endpoint=s3.eu-west-1.amazonaws.com").s3().hadoopSettings(), "AWS regional endpoint");
        ConfigException path = assertThrows(ConfigException.class,
                () -> FosmConfig.local("s3.endpoint=http://127.0.0.1:9000/my-bucket"));
        assertEquals("Invalid s3.endpoint (from --conf): expected empty (AWS S3) or a host[:port] with an optional"
                + " http:// or https:// and no path, e.g. http://127.0.0.1:9000, got 'http://127.0.0.1:9000/my-bucket'",
                path.getMessage());
        ConfigException style = assertThrows(ConfigException.class,
                () -> FosmConfig.load("local", null, Map.of("FOSM_S3_PATH_STYLE_ACCESS", "yes"), List.of()));
        assertEquals("Invalid s3.path_style_access (from env FOSM_S3_PATH_STYLE_ACCESS): expected true or false,"
                + " got 'yes'", style.getMessage());
    }

    @Test
    void unknownProfileIsReported() {
        ConfigException e = assertThrows(ConfigException.class, () -> FosmConfig.load("prod", null, Map.of(), List.of()));
        assertTrue(e.getMessage().contains("Cannot load profile 'prod'"), e.getMessage());
    }

    @Test
    void driftKeysAreTypedAndBounded() {
        FosmConfig c = FosmConfig.local("lakehouse.root=/data/lake", "drift.psi_threshold=0.3");
        assertEquals(0.3, c.drift().psiThreshold());
        assertEquals(10, c.drift().bins());
        assertEquals("/data/lake/_drift", c.drift().output(), "drift.output follows ${lakehouse.root}");
        ConfigException sample = assertThrows(ConfigException.class, () -> FosmConfig.local("drift.sample_size=20000"));
        assertTrue(sample.getMessage().startsWith("Invalid drift.sample_size (from --conf): expected an integer between"
                + " 10 and 10000, got '20000'"), sample.getMessage());
        ConfigException pvalue = assertThrows(ConfigException.class, () -> FosmConfig.local("drift.ks_pvalue=2"));
        assertTrue(pvalue.getMessage().contains("drift.ks_pvalue"), pvalue.getMessage());
        assertThrows(ConfigException.class, () -> FosmConfig.local("drift.bins=1"));
    }

    @Test
    void kafkaOptionsPassThroughWithSecretsFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("site.properties");
        Files.writeString(file, "stream.kafka.option.security.protocol = SASL_SSL\n"
                + "stream.kafka.option.sasl.mechanism = SCRAM-SHA-512\n"
                + "stream.kafka.option.sasl.jaas.config = ${env:KAFKA_JAAS}\n"
                + "stream.kafka.option.ssl.truststore.password = ${file:/etc/fosm/kafka.properties:truststore}\n");
        Map<String, String> env = Map.of("KAFKA_JAAS", "ScramLoginModule required username=\"u\" password=\"p\";");
        FosmConfig c = FosmConfig.load("local", file, env, List.of("stream.kafka.option.client.id=fosm-1"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"p\";",
                "ssl.truststore.password", "${file:/etc/fosm/kafka.properties:truststore}", "client.id", "fosm-1"),
                c.kafkaOptions(), "env references resolved, Kafka config-provider references left to Kafka");
        assertTrue(FosmConfig.local().kafkaOptions().isEmpty());
        // printing the configuration never prints the secret
        Map<String, String> printed = ConfigSources.load("local", file, env, List.of()).effective();
        assertEquals("${env:KAFKA_JAAS}", printed.get("stream.kafka.option.sasl.jaas.config"));

        ConfigException missing = assertThrows(ConfigException.class, () -> FosmConfig.load("local", file, Map.of(), List.of()));
        assertEquals("Cannot resolve key 'stream.kafka.option.sasl.jaas.config' (from " + file + "): it references"
                + " environment variable KAFKA_JAAS, which is not set", missing.getMessage());
        ConfigException managed = assertThrows(ConfigException.class,
                () -> FosmConfig.local("stream.kafka.option.auto.offset.reset=earliest"));
        assertTrue(managed.getMessage().startsWith("Invalid stream.kafka.option.auto.offset.reset (from --conf): Spark's"
                + " Kafka source manages 'auto.offset.reset' itself"), managed.getMessage());
        ConfigException typo = assertThrows(ConfigException.class, () -> FosmConfig.local("stream.kafka.opton.x=1"));
        assertTrue(typo.getMessage().startsWith("Cannot load config: unknown key 'stream.kafka.opton.x'"), typo.getMessage());
    }
}
