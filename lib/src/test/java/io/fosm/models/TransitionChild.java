package io.fosm.models;

import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import java.util.Optional;

/**
 * A promotion or rollback commit in a JVM of its own, for {@link PromotionCrashTest}: with {@code FOSM_HALT_AT} set
 * it halts (exit 137) at that point of {@link RegistryTransition#commit}.
 * Args: trackingUri model op(promote|rollback) newChampion history expectedChampion(or -) expectedChallenger(or -).
 */
public final class TransitionChild {
    private TransitionChild() {}

    public static void main(String[] args) {
        ModelRegistry registry = MlflowTracking.connect(args[0]).registry();
        String op = args[2];
        Optional<String> champion = args[5].equals("-") ? Optional.empty() : Optional.of(args[5]);
        Optional<String> challenger = args[6].equals("-") ? Optional.empty() : Optional.of(args[6]);
        RegistryTransition.Intent intent = op.equals(RegistryTransition.PROMOTE)
                ? RegistryTransition.Intent.of(op, args[3], args[4], challenger, Optional.empty())
                : RegistryTransition.Intent.of(op, args[3], args[4], Optional.empty(), champion);
        RegistryTransition.commit(registry, args[1], intent, champion, challenger);
        System.exit(0);
    }
}
