package io.fosm.generate;

import java.util.Locale;

/** Classes of the ground-truth event log; {@link #label()} is the value of its {@code event_type} field. */
public enum EventType {
    /** Continuous broadband 100-400 Hz hiss, stationary, growing. */
    LEAK,
    /** Impulsive broadband strikes every 1-3 s, stationary. */
    DIGGING,
    /** Weak 10-30 Hz footfall thumps at 1-3 Hz, moving at about 1-1.5 m/s. */
    WALKING,
    /** 5-40 Hz rumble moving at 5-20 m/s. */
    VEHICLE,
    /** Pipeline inspection gauge: a click at every girth weld (12 m apart), moving at 1-3 m/s. */
    PIG,
    /** No event; never appears in the event log, it is the label of everything the log does not cover. */
    BACKGROUND;

    /** The lower-case label used in logs and training data, e.g. {@code leak}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a label such as {@code vehicle}, case-insensitively. */
    public static EventType parse(String label) {
        try {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("event type must be one of leak, digging, walking, vehicle, pig, "
                    + "cannot be: '" + label + "'");
        }
    }
}
