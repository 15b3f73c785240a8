package io.fosm.models;

import io.fosm.reliability.FaultPoints;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One change of the registry's champion (a promotion or a rollback), made crash-safe and exclusive with nothing but
 * the MLflow registry's own operations.
 *
 * <p>The lock is a registered model {@code <model>.promotion-lock}: creating a registered model is the registry's one
 * atomic test-and-set (a second create answers RESOURCE_ALREADY_EXISTS), so of two transitions at once exactly one
 * holds it; the other fails with {@link ConflictException} and changes nothing. The lock's tags are the intent: the
 * complete target state (the champion version, the history tag, the challenger alias to drop, the rolled-back-from
 * tag). Each step sets an absolute value, so applying an intent twice, or from two processes, ends in the same state.
 *
 * <p>Order: lock with intent, history tag, champion alias (serving switches here), challenger alias, release. A crash
 * before the lock leaves the state "before"; a crash after it leaves an intent that every later promotion or rollback
 * completes first ({@link #recover}), so the state is "after" once anything reads it through fosm. A lock is taken
 * over as interrupted when its holder is a process of this host that no longer runs, or when it is older than
 * {@link #STALE_MILLIS} (the locked section is a handful of registry calls, well under a second).
 */
final class RegistryTransition {
    static final String LOCK_SUFFIX = ".promotion-lock";
    /** A lock older than this is an interrupted transition, whoever held it. */
    static final long STALE_MILLIS = 120_000;
    static final String PROMOTE = "promote";
    static final String ROLLBACK = "rollback";

    /** Another promotion or rollback holds the lock, or changed the registry while this one evaluated. */
    static final class ConflictException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ConflictException(String message) {
            super(message);
        }
    }

    /** What a transition sets; {@code dropChallenger} and {@code rolledBackFrom} are empty when not part of it. */
    record Intent(String op, String id, String champion, String history, Optional<String> dropChallenger,
                  Optional<String> rolledBackFrom, String holder, long startedMillis) {

        Map<String, String> tags() {
            Map<String, String> t = new LinkedHashMap<>();
            t.put("op", op);
            t.put("id", id);
            t.put("champion", champion);
            t.put("history", history);
            dropChallenger.ifPresent(v -> t.put("drop_challenger", v));
            rolledBackFrom.ifPresent(v -> t.put("rolled_back_from", v));
            t.put("holder", holder);
            t.put("started_millis", String.valueOf(startedMillis));
            return t;
        }

        static Intent fromTags(String lock, Map<String, String> t) {
            String op = t.get("op");
            String champion = t.get("champion");
            if (op == null || champion == null || t.get("history") == null) {
                throw new IllegalStateException("Cannot recover the interrupted promotion recorded in registered model "
                        + lock + ": its tags " + t + " lack op, champion or history (delete that registered model by"
                        + " hand after checking the champion alias)");
            }
            long started;
            try {
                started = Long.parseLong(t.getOrDefault("started_millis", "0"));
            } catch (NumberFormatException e) {
                started = 0;
            }
            return new Intent(op, t.getOrDefault("id", "?"), champion, t.get("history"),
                    Optional.ofNullable(t.get("drop_challenger")), Optional.ofNullable(t.get("rolled_back_from")),
                    t.getOrDefault("holder", ""), started);
        }

        static Intent of(String op, String champion, String history, Optional<String> dropChallenger,
                         Optional<String> rolledBackFrom) {
            return new Intent(op, UUID.randomUUID().toString(), champion, history, dropChallenger, rolledBackFrom,
                    RegistryTransition.holder(), System.currentTimeMillis());
        }
    }

    private RegistryTransition() {}

    static String lockName(String model) {
        return model + LOCK_SUFFIX;
    }

    /**
     * Completes a transition a crashed run left behind (then releases its lock) and returns it; empty when there is
     * none. A lock whose holder may still be running is a {@link ConflictException}.
     */
    static Optional<Intent> recover(ModelRegistry registry, String model) {
        String lock = lockName(model);
        Map<String, String> tags = registry.modelTags(lock);
        if (tags.isEmpty()) {
            return Optional.empty();
        }
        Intent intent = Intent.fromTags(lock, tags);
        if (!interrupted(intent)) {
            throw new ConflictException("Cannot change the champion of " + model + ": another " + intent.op()
                    + " (to version " + intent.champion() + ", by " + intent.holder() + ") holds the registry lock "
                    + lock + "; rerun when it has finished");
        }
        apply(registry, model, intent);
        registry.deleteModel(lock);
        return Optional.of(intent);
    }

    /**
     * Takes the lock with the intent, checks the champion and challenger are still those the caller decided on, and
     * applies the intent. {@code expectedChampion}/{@code expectedChallenger}: empty means "none".
     */
    static void commit(ModelRegistry registry, String model, Intent intent, Optional<String> expectedChampion,
                       Optional<String> expectedChallenger) {
        String lock = lockName(model);
        if (!registry.createModelIfAbsent(lock, intent.tags())) {
            Map<String, String> other = registry.modelTags(lock);
            throw new ConflictException("Cannot " + intent.op() + " " + model + ": another promotion or rollback ("
                    + other.getOrDefault("op", "?") + " to version " + other.getOrDefault("champion", "?")
                    + ") took the registry lock " + lock + " first; nothing was changed by this run");
        }
        FaultPoints.reached(intent.op() + ".after_intent");
        Optional<String> champion = registry.byAlias(model, Promotion.CHAMPION).map(ModelVersion::version);
        Optional<String> challenger = registry.byAlias(model, Promotion.CHALLENGER).map(ModelVersion::version);
        if (!champion.equals(expectedChampion) || (intent.op().equals(PROMOTE) && !challenger.equals(expectedChallenger))) {
            registry.deleteModel(lock);
            throw new ConflictException("Cannot " + intent.op() + " " + model + ": the registry changed while this run"
                    + " decided (champion " + expectedChampion.orElse("none") + " -> " + champion.orElse("none")
                    + ", challenger " + expectedChallenger.orElse("none") + " -> " + challenger.orElse("none")
                    + "); nothing was changed by this run, rerun it");
        }
        apply(registry, model, intent);
        registry.deleteModel(lock);
    }

    /** Sets every value of the intent; idempotent. */
    private static void apply(ModelRegistry registry, String model, Intent intent) {
        registry.setModelTag(model, Promotion.HISTORY_TAG, intent.history());
        FaultPoints.reached(intent.op() + ".after_history");
        registry.setAlias(model, Promotion.CHAMPION, intent.champion());
        FaultPoints.reached(intent.op() + ".after_alias");
        if (intent.dropChallenger().isPresent()) {
            Optional<String> challenger = registry.byAlias(model, Promotion.CHALLENGER).map(ModelVersion::version);
            // a newer challenger registered since is left alone
            if (challenger.equals(intent.dropChallenger())) {
                registry.deleteAlias(model, Promotion.CHALLENGER);
            }
        }
        intent.rolledBackFrom().ifPresent(v -> registry.setModelTag(model, "rolled_back_from", v));
    }

    /** Whether the lock's holder is gone: a dead process of this host, or a lock older than {@link #STALE_MILLIS}. */
    private static boolean interrupted(Intent intent) {
        if (System.currentTimeMillis() - intent.startedMillis() > STALE_MILLIS) {
            return true;
        }
        String[] parts = intent.holder().split("@", 2);
        if (parts.length == 2 && parts[1].equals(hostName())) {
            try {
                long pid = Long.parseLong(parts[0]);
                return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** {@code pid@host} of this JVM. */
    static String holder() {
        return ProcessHandle.current().pid() + "@" + hostName();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
