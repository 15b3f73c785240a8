package io.fosm.generate;

import java.util.SplittableRandom;

/** Independent random streams per purpose, so adding a feature never shifts another feature's randomness. */
final class Seeds {
    static final long LAYOUT = 1;
    static final long NOISE = 2;
    static final long EVENTS = 3;
    static final long MIX = 4;
    static final long FAULTS = 5;

    private Seeds() {
    }

    static SplittableRandom stream(long seed, long purpose, long index) {
        return new SplittableRandom(mix(mix(seed ^ 0x5DEECE66DL) + purpose * 0x9E3779B97F4A7C15L + index));
    }

    /** SplitMix64 finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
