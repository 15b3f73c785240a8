package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import io.fosm.reliability.FaultPoints;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Promotion and rollback against the real MLflow registry: a JVM killed (halted, exit 137) at each named point of the
 * registry transition leaves the champion alias either before or after, and the rerun ends in exactly the registry of
 * an uninterrupted run; two transitions at once: one changes the registry, the other fails and changes nothing.
 * The gate's evaluation (Spark) is the same code before and after and is covered by PromotionTest; these children
 * run only the registry part, so no Spark starts here.
 */
class PromotionCrashTest {
    private static final String V1 = "1";
    private static final String V2 = "2";

    private static String trackingUri() {
        String uri = System.getProperty("MLFLOW_TRACKING_URI", System.getenv("MLFLOW_TRACKING_URI"));
        if (uri == null || uri.isBlank()) {
            fail("MLFLOW_TRACKING_URI is not set: run these tests via `make test`, which starts the MLflow server");
        }
        return uri;
    }

    private static ModelRegistry registry() {
        return MlflowTracking.connect(trackingUri()).registry();
    }

    /** A fresh model: versions 1 (champion) and 2 (challenger), empty history. */
    private static String twoVersions(String prefix) {
        MlflowTracking mlflow = MlflowTracking.connect(trackingUri());
        String model = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String experiment = mlflow.experimentId("fosm-reliability-tests");
        for (int i = 0; i < 2; i++) {
            try (RunHandle run = mlflow.startRun(experiment, "v" + (i + 1), Map.of())) {
                run.end(true);
                mlflow.registry().register(model, run.runId(), "model", Map.of());
            }
        }
        mlflow.registry().setAlias(model, Promotion.CHAMPION, V1);
        mlflow.registry().setAlias(model, Promotion.CHALLENGER, V2);
        return model;
    }

    /** Aliases and tags of the model, and whether its lock exists: what must equal an uninterrupted run's. */
    private static Map<String, String> state(String model) {
        ModelRegistry r = registry();
        Map<String, String> s = new TreeMap<>(r.modelTags(model));
        s.put("@champion", r.byAlias(model, Promotion.CHAMPION).map(ModelVersion::version).orElse("none"));
        s.put("@challenger", r.byAlias(model, Promotion.CHALLENGER).map(ModelVersion::version).orElse("none"));
        // the lock model always carries the intent's tags, so "has tags" is "exists"
        s.put("lock", String.valueOf(!r.modelTags(RegistryTransition.lockName(model)).isEmpty()));
        return s;
    }

    private static int child(String haltAt, String model, String op, String champion, String history,
                             String expectedChampion, String expectedChallenger) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Djava.io.tmpdir")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), TransitionChild.class.getName(),
                trackingUri(), model, op, champion, history, expectedChampion, expectedChallenger));
        Path log = Path.of("target", "transition-" + haltAt + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(FaultPoints.ENV, haltAt);
        Process p = pb.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the child ends: see " + log);
        return p.exitValue();
    }

    @Test
    void aPromotionKilledAtAnyPointIsCompletedByTheRerunExactlyAsAnUninterruptedOne() throws Exception {
        String reference = twoVersions("promote-ref");
        RegistryTransition.commit(registry(), reference, RegistryTransition.Intent.of(RegistryTransition.PROMOTE, V2,
                V1, Optional.of(V2), Optional.empty()), Optional.of(V1), Optional.of(V2));
        Map<String, String> after = state(reference);
        assertEquals(V2, after.get("@champion"));
        assertEquals("none", after.get("@challenger"));
        assertEquals(V1, after.get(Promotion.HISTORY_TAG));

        for (String point : List.of("promote.after_intent", "promote.after_history", "promote.after_alias")) {
            String model = twoVersions("promote-crash");
            assertEquals(FaultPoints.HALT_EXIT_CODE, child(point, model, RegistryTransition.PROMOTE, V2, V1, V1, V2),
                    "halted at " + point);
            Map<String, String> crashed = state(model);
            assertTrue(Set.of(V1, V2).contains(crashed.get("@champion")), point + ": serving sees before or after");
            assertEquals("true", crashed.get("lock"), point + ": the intent is recorded");

            // the rerun (fosm promote): completes the interrupted promotion and starts no other
            Promotion.Outcome rerun = Promotion.promote(null, registry(), model, null, null);
            assertTrue(rerun.promoted(), point);
            assertTrue(rerun.reason().startsWith("completed the promotion interrupted earlier"), rerun.reason());
            assertEquals(after, state(model), point + ": the registry equals that of an uninterrupted promotion");
        }
    }

    @Test
    void aRollbackKilledAtAnyPointIsCompletedByTheRerunAndNeverRollsBackTwice() throws Exception {
        String reference = twoVersions("rollback-ref");
        RegistryTransition.commit(registry(), reference, RegistryTransition.Intent.of(RegistryTransition.PROMOTE, V2,
                V1, Optional.of(V2), Optional.empty()), Optional.of(V1), Optional.of(V2));
        assertEquals(V1, Promotion.rollback(registry(), reference));
        Map<String, String> after = state(reference);
        assertEquals(V1, after.get("@champion"));
        assertEquals("", after.get(Promotion.HISTORY_TAG));
        assertEquals(V2, after.get("rolled_back_from"));

        for (String point : List.of("rollback.after_intent", "rollback.after_history", "rollback.after_alias")) {
            String model = twoVersions("rollback-crash");
            RegistryTransition.commit(registry(), model, RegistryTransition.Intent.of(RegistryTransition.PROMOTE, V2,
                    V1, Optional.of(V2), Optional.empty()), Optional.of(V1), Optional.of(V2));
            assertEquals(FaultPoints.HALT_EXIT_CODE, child(point, model, RegistryTransition.ROLLBACK, V1, "", V2, "-"),
                    "halted at " + point);
            assertTrue(Set.of(V1, V2).contains(state(model).get("@champion")), point);
            // the rerun (fosm rollback) completes this rollback; with history now empty a second one would fail
            assertEquals(V1, Promotion.rollback(registry(), model), point);
            assertEquals(after, state(model), point + ": the registry equals that of an uninterrupted rollback");
        }
    }

    @Test
    void ofTwoPromotionsAtOnceOneWinsAndTheOtherChangesNothing() throws Exception {
        String model = twoVersions("promote-race");
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Callable<String> promotion = () -> {
                    go.await();
                    try {
                        RegistryTransition.commit(registry(), model, RegistryTransition.Intent.of(
                                RegistryTransition.PROMOTE, V2, V1, Optional.of(V2), Optional.empty()),
                                Optional.of(V1), Optional.of(V2));
                        return "won";
                    } catch (RegistryTransition.ConflictException e) {
                        return e.getMessage();
                    }
                };
                results.add(pool.submit(promotion));
            }
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get(2, TimeUnit.MINUTES));
            }
            assertEquals(1, outcomes.stream().filter("won"::equals).count(), outcomes.toString());
            String loser = outcomes.stream().filter(o -> !o.equals("won")).findFirst().orElseThrow();
            assertTrue(loser.startsWith("Cannot promote " + model + ": "), loser);
            assertTrue(loser.contains("nothing was changed by this run"), loser);
        } finally {
            pool.shutdownNow();
        }
        Map<String, String> s = state(model);
        assertEquals(V2, s.get("@champion"));
        assertEquals(V1, s.get(Promotion.HISTORY_TAG), "the champion history holds version 1 once");
        assertEquals("false", s.get("lock"));
    }

    @Test
    void aLockHeldByARunningPromotionIsAConflictNotARecovery() {
        String model = twoVersions("promote-held");
        RegistryTransition.Intent running = RegistryTransition.Intent.of(RegistryTransition.PROMOTE, V2, V1,
                Optional.of(V2), Optional.empty());
        assertTrue(registry().createModelIfAbsent(RegistryTransition.lockName(model), running.tags()));
        try {
            IllegalStateException e = assertThrows(RegistryTransition.ConflictException.class,
                    () -> Promotion.rollback(registry(), model));
            assertTrue(e.getMessage().contains("holds the registry lock"), e.getMessage());
            assertEquals(V1, state(model).get("@champion"), "nothing changed");
        } finally {
            registry().deleteModel(RegistryTransition.lockName(model));
        }
    }
}
