package io.sightline.local;

import static org.awaitility.Awaitility.await;

import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Committed records of one of the local stack's topics, read from the beginning. */
final class StackRecords {

    private StackRecords() {}

    /** The values of {@code topic} that match {@code which}, once there are {@code expected} of them (fails after a minute). */
    static <V extends SpecificRecord> List<V> read(
            Stack stack, String topic, Class<V> type, Predicate<V> which, int expected) {
        List<V> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        stack.bootstrapServers(),
                        "group.id",
                        "stack-records-" + UUID.randomUUID(),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed"),
                new StringDeserializer(),
                new AvroDeserializer<>(new RestSchemaRegistryClient(stack.url("schema-registry")), type))) {
            consumer.subscribe(Set.of(topic));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (which.test(r.value())) {
                        found.add(r.value());
                    }
                });
                return found.size() >= expected;
            });
        }
        return found;
    }

    /** Every committed value of {@code topic} up to its end as it is now: for checking that something was not written. */
    static <V extends SpecificRecord> List<V> readToEnd(Stack stack, String topic, Class<V> type) {
        return recordsToEnd(
                        stack,
                        topic,
                        new AvroDeserializer<>(new RestSchemaRegistryClient(stack.url("schema-registry")), type))
                .stream()
                .map(Map.Entry::getValue)
                .toList();
    }

    /** Every committed record of {@code topic} up to its end as it is now, key and value (null for a tombstone). */
    static <V> List<Map.Entry<String, V>> recordsToEnd(Stack stack, String topic, Deserializer<V> values) {
        List<Map.Entry<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        stack.bootstrapServers(),
                        "isolation.level",
                        "read_committed",
                        "enable.auto.commit",
                        false),
                new StringDeserializer(),
                values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> found.add(new AbstractMap.SimpleEntry<>(r.key(), r.value())));
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return found;
    }

    /** The internal topic of the local stack whose name ends with {@code suffix} (a store's changelog). */
    static String topicEndingWith(Stack stack, String suffix) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers()),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            return consumer.listTopics(Duration.ofSeconds(30)).keySet().stream()
                    .filter(t -> t.endsWith(suffix))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no topic ends with " + suffix));
        }
    }
}
