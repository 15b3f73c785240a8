package io.fosm.config;

import java.io.Serializable;
import java.util.Optional;

/**
 * One registered fiber: how many channels it has, its sample rate and channel spacing, and the optional filters
 * silver applies to its chunks.
 */
public record FiberSpec(String fiberId, int channels, double sampleRate, double spacingM,
                        Optional<BandpassSpec> bandpass, Optional<SavgolSpec> savgol) implements Serializable {

  /** Butterworth band-pass settings. */
  public record BandpassSpec(double lowHz, double highHz, int order) implements Serializable {}

  /** Savitzky-Golay smoothing settings. */
  public record SavgolSpec(int window, int polyOrder) implements Serializable {}

  /** A fiber without filters. */
  public static FiberSpec of(String fiberId, int channels, double sampleRate) {
    return new FiberSpec(fiberId, channels, sampleRate, 1.0, Optional.empty(), Optional.empty());
  }
}
