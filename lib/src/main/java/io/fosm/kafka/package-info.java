/**
 * Kafka side of the live feed: {@code fosm replay} renders the synthetic fiber of {@code io.fosm.generate} and sends it
 * to a Kafka topic as {@link io.fosm.record.ChunkCodec} single records (key {@code <fiberId>/<channel>}), paced like a
 * live interrogator, with malformed messages injected and logged so a consumer's dead-letter handling can be checked.
 */
package io.fosm.kafka;
