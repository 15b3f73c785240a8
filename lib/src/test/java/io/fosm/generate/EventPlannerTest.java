package io.fosm.generate;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.generate.EventPlanner.Draft;
import org.junit.jupiter.api.Test;

/** The planner's test of whether two event tracks meet (it keeps non-vehicle events apart so each stays learnable). */
class EventPlannerTest {
    private static final double FS = 1000;
    private final EventPlanner planner = new EventPlanner(GeneratorConfig.builder().output("unused").channels(64)
            .durationSeconds(120).seed(1).build());

    private static long s(double seconds) {
        return Math.round(seconds * FS);
    }

    @Test
    void aWalkerThatHasLeftBeforeDiggingStartsDoesNotMeetIt() {
        // the walker's box (channels 0-40, 0-40 s) contains the digging, but it is at channels 0-10 while digging lasts
        Draft walker = Draft.track(EventType.WALKING, s(0), s(40), 0, 40, 1.5);
        Draft digging = Draft.track(EventType.DIGGING, s(0), s(8), 30, 30, 2);
        assertFalse(planner.overlaps(digging, walker));
        assertFalse(planner.overlaps(walker, digging));
    }

    @Test
    void crossingTracksMeetEvenWhenTheirEndsAreFarApart() {
        Draft east = Draft.track(EventType.WALKING, s(0), s(30), 0, 30, 1);
        Draft west = Draft.track(EventType.PIG, s(0), s(30), 30, 0, 1);
        assertTrue(planner.overlaps(east, west), "the tracks cross at 15 s");
    }

    @Test
    void theGuardKeepsTwoChannelsAndOneSecondFree() {
        Draft leak = Draft.track(EventType.LEAK, s(10), s(20), 20, 20, 1);
        // extents 19-21 and 22.5-24.5: 1.5 free channels, within the 2-channel guard
        assertTrue(planner.overlaps(Draft.track(EventType.DIGGING, s(12), s(18), 23.5, 23.5, 1), leak));
        // 24.1-26.1: 3.1 free channels, clear
        assertFalse(planner.overlaps(Draft.track(EventType.DIGGING, s(12), s(18), 25.1, 25.1, 1), leak));
        // same place, starting 0.5 s after the leak ends: within the 1 s guard; 1.5 s after: clear
        assertTrue(planner.overlaps(Draft.track(EventType.DIGGING, s(20.5), s(30), 20, 20, 1), leak));
        assertFalse(planner.overlaps(Draft.track(EventType.DIGGING, s(21.5), s(30), 20, 20, 1), leak));
    }

    @Test
    void vehiclesAreAllowedToCrossEverything() {
        Draft leak = Draft.track(EventType.LEAK, s(0), s(30), 20, 20, 2);
        assertFalse(planner.overlaps(leak, Draft.track(EventType.VEHICLE, s(5), s(8), 0, 63, 5)));
    }

    @Test
    void aRateOfZeroPlansAnEventFreeFiberAndAnyOtherRateEveryClass() {
        GeneratorConfig.Builder fiber = GeneratorConfig.builder().output("unused").channels(64).durationSeconds(600)
                .seed(4242);
        assertEquals(java.util.List.of(), new EventPlanner(fiber.eventRatePerMinute(0).build()).events(),
                "--event-rate 0 is an event-free fiber");
        java.util.Set<EventType> types = new java.util.HashSet<>();
        new EventPlanner(fiber.eventRatePerMinute(0.01).build()).events().forEach(e -> types.add(e.truth.type()));
        assertEquals(java.util.EnumSet.of(EventType.LEAK, EventType.DIGGING, EventType.WALKING, EventType.VEHICLE,
                EventType.PIG), java.util.EnumSet.copyOf(types), "a low rate still places every class for training");
    }
}
