package io.sightline.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic together with the serdes of its keys and values, so every
 * {@code Consumed.with(...)} and {@code Produced.with(...)} states them and no
 * default serde can hide a mistake.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
