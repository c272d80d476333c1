package io.sightline.embedded.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaClusterTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldAcknowledgeAndDeliverARecordAndKeepItAcrossARestart() throws Exception {
        RecordMetadata written;
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.singleNode(dataDir, 0)) {
            createTopic(kafka, "greetings", 1);
            written = produce(kafka, "greetings", "k", "hello");
            assertThat(consumeAll(kafka.bootstrapServers(), "greetings", 1)).containsExactly("hello");
        }

        try (EmbeddedKafkaCluster restarted = EmbeddedKafkaCluster.singleNode(dataDir, 0)) {
            assertThat(consumeAll(restarted.bootstrapServers(), "greetings", 1)).containsExactly("hello");
            assertThat(written.offset()).isZero();
        }
    }

    @Test
    void shouldReplicateAcrossThreeBrokersAndSurviveOneStopping() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.multiBroker(dataDir, 3)) {
            createTopic(kafka, "replicated", 3);
            produce(kafka, "replicated", "a", "before");

            kafka.stopBroker(1);
            produce(kafka, "replicated", "a", "after");

            assertThat(consumeAll(kafka.bootstrapServers(), "replicated", 2)).containsExactly("before", "after");
        }
    }

    private static void createTopic(EmbeddedKafkaCluster kafka, String topic, int replicationFactor) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) replicationFactor)))
                    .all()
                    .get();
        }
    }

    private static RecordMetadata produce(EmbeddedKafkaCluster kafka, String topic, String key, String value)
            throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        kafka.bootstrapServers(),
                        "acks",
                        "all",
                        "enable.idempotence",
                        true,
                        "delivery.timeout.ms",
                        60_000),
                new StringSerializer(),
                new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<String> consumeAll(String bootstrap, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "group.id",
                        "test-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
