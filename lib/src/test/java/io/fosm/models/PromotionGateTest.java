package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
    private final PromotionGate gate = new PromotionGate("macro_f1", 0.01, 0.05);

    private static Map<String, Double> metrics(double macro, double leak, double digging) {
        return Map.of("macro_f1", macro, "f1_leak", leak, "f1_digging", digging, "accuracy", 0.9);
    }

    @Test
    void firstModelIsPromotedWithoutAChampion() {
        PromotionGate.Decision d = gate.decide(metrics(0.5, 0.5, 0.5), Optional.empty());
        assertTrue(d.promote());
        assertEquals("there is no champion yet", d.reason());
    }

    @Test
    void aBetterChallengerWithoutClassRegressionIsPromoted() {
        PromotionGate.Decision d = gate.decide(metrics(0.85, 0.90, 0.80), Optional.of(metrics(0.80, 0.88, 0.72)));
        assertTrue(d.promote(), d.reason());
        assertEquals(0.08, d.classF1Change().get("digging"), 1e-12);
    }

    @Test
    void aChallengerWithinTheMarginIsRefused() {
        PromotionGate.Decision d = gate.decide(metrics(0.805, 0.9, 0.8), Optional.of(metrics(0.80, 0.9, 0.8)));
        assertFalse(d.promote());
        assertEquals("macro_f1 0.8050 does not beat the champion's 0.8000 by more than the margin 0.0100", d.reason());
    }

    @Test
    void aClassRegressionBeyondTheLimitIsRefusedEvenWithABetterAverage() {
        PromotionGate.Decision d = gate.decide(metrics(0.90, 0.99, 0.70), Optional.of(metrics(0.80, 0.80, 0.80)));
        assertFalse(d.promote());
        assertEquals("class digging regresses by 0.1000 F1 (0.8000 -> 0.7000), more than the allowed 0.0500",
                d.reason());
    }

    @Test
    void aChallengerWithoutTheMetricIsRefusedAndBadSettingsAreRejected() {
        assertFalse(gate.decide(Map.of("accuracy", 1.0), Optional.empty()).promote());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PromotionGate("x", -1, 0));
        assertEquals("promotion margin must be >= 0, cannot be: -1.0", e.getMessage());
    }
}
