/**
 * {@code fosm generate}: a reproducible synthetic DAS interrogator. Same config and seed give byte-identical landing
 * files; the ground truth (events, injected faults) goes to separate logs, never into the signal records.
 */
package io.fosm.generate;
