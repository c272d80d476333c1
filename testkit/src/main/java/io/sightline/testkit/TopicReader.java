package io.sightline.testkit;

import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one topic from the beginning, committed records only (read_committed), for
 * tests that wait on what has been written so far while writers are still running:
 * each {@link #poll()} answers the records that arrived since the last one.
 */
public final class TopicReader<V extends SpecificRecord> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;

    TopicReader(String bootstrapServers, SchemaRegistryClient registry, String topic, Class<V> type) {
        this.consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrapServers,
                        "isolation.level",
                        "read_committed",
                        "enable.auto.commit",
                        false),
                new StringDeserializer(),
                new AvroDeserializer<>(registry, type));
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The committed records that arrived since the last call (waits at most 200 ms for some). */
    public List<ConsumerRecord<String, V>> poll() {
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
