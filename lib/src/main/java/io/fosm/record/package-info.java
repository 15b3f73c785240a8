/**
 * The chunk record (one channel x one chunk of samples) and its binary encoding. This package is the only place
 * that knows the byte layout, so landing files and Kafka message values can never drift apart.
 */
package io.fosm.record;
