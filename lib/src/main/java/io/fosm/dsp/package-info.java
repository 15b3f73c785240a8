/** Pure-Java signal processing: no Spark here, so batch, streaming and benchmarks share one implementation. */
package io.fosm.dsp;
