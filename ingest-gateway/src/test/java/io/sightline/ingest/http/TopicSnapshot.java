package io.sightline.ingest.http;

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
 * Every record of a topic up to its end offsets at the time of the call. The gateway
 * answers only after Kafka acknowledged, so after an answer its records are all here:
 * counts can be exact, not "at least".
 */
final class TopicSnapshot {

    private TopicSnapshot() {}

    static <V extends SpecificRecord> List<ConsumerRecord<String, V>> read(
            String bootstrap, SchemaRegistryClient registry, String topic, Class<V> type) {
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(),
                new AvroDeserializer<>(registry, type))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + end + " within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
