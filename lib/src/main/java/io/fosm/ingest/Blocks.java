package io.fosm.ingest;

/** Argument checks shared by the {@link DasRecording} implementations. */
final class Blocks {

    private Blocks() {
    }

    static void checkRange(int from, int count, int channels) {
        if (from < 0 || count < 0 || (long) from + count > channels) {
            throw new IllegalArgumentException("Cannot read channels [" + from + ", " + ((long) from + count)
                    + "): the recording has channels [0, " + channels + ")");
        }
    }
}
