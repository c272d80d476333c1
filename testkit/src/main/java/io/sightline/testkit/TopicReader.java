package io.sightline.testkit;

import static org.awaitility.Awaitility.await;

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
    private final List<TopicPartition> partitions;

    public TopicReader(String bootstrapServers, SchemaRegistryClient registry, String topic, Class<V> type) {
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
        partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
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

    /**
     * Every committed record from where this reader stands up to the topic's end as it is
     * now (the last stable offset), for exact checks once the writers have stopped; fails
     * after {@code timeout}.
     */
    public List<ConsumerRecord<String, V>> readToEnd(Duration timeout) {
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        await().atMost(timeout).pollInterval(Duration.ZERO).until(() -> {
            seen.addAll(poll());
            return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
        });
        return seen;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
