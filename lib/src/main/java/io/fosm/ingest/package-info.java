/**
 * Readers of interrogator DAS files (PRODML, Silixa TDMS, Terra15, Febus, AP Sensing, OptoDAS, SEG-Y, FOSF) behind
 * one interface, {@link io.fosm.ingest.DasReader}, with {@link io.fosm.ingest.DasReaders} as the entry point. Pure
 * Java, no Spark: bronze calls it inside its own tasks. See docs/formats.md.
 */
package io.fosm.ingest;
