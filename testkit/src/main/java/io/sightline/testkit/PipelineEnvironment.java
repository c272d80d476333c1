package io.sightline.testkit;

import static org.awaitility.Awaitility.await;

import io.sightline.common.kafka.TopicBootstrap;
import io.sightline.embedded.kafka.EmbeddedKafkaCluster;
import io.sightline.registry.RegistryConfig;
import io.sightline.registry.SchemaRegistryServer;
import io.sightline.schemas.Topics;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import io.sightline.schemas.serde.AvroSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the pipeline stands on, in one process: a real KRaft Kafka cluster, the
 * pipeline's topics and the schema registry; plus helpers to write and to wait for
 * records. Integration tests, the benchmarks and the local stack ({@code Stack}) all
 * start it here. No mocks.
 */
public final class PipelineEnvironment implements AutoCloseable {

    private final EmbeddedKafkaCluster kafka;
    private final SchemaRegistryServer registry;
    private final Topics topics;

    private PipelineEnvironment(EmbeddedKafkaCluster kafka, SchemaRegistryServer registry) {
        this.kafka = kafka;
        this.registry = registry;
        this.topics = new Topics(new RestSchemaRegistryClient(registry.url()));
    }

    /** A single-broker cluster with data under {@code dataDir}, on free ports. */
    public static PipelineEnvironment start(Path dataDir) {
        return start(dataDir, 0, 0);
    }

    /**
     * A single-broker cluster with data under {@code dataDir}, its topics (3 partitions each)
     * and the schema registry; 0 as a port picks a free one.
     */
    public static PipelineEnvironment start(Path dataDir, int kafkaPort, int registryPort) {
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.singleNode(dataDir, kafkaPort);
        try {
            TopicBootstrap.ensureTopics(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()), Topics.ALL, Topics.COMPACTED, 3, (short) 1);
            SchemaRegistryServer registry = SchemaRegistryServer.start(new RegistryConfig(Map.of(
                    "SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS",
                    kafka.bootstrapServers(),
                    "SIGHTLINE_HTTP_PORT",
                    String.valueOf(registryPort))));
            return new PipelineEnvironment(kafka, registry);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The cluster itself, for fault tests (stop and restart a broker). */
    public EmbeddedKafkaCluster kafka() {
        return kafka;
    }

    public String registryUrl() {
        return registry.url();
    }

    public Topics topics() {
        return topics;
    }

    /**
     * Environment variables that point a service at this cluster and registry, with a
     * free HTTP port and its own state directory; {@code extra} adds or overrides (a test
     * may choose the port).
     */
    public Map<String, String> serviceEnv(Path stateDir, Map<String, String> extra) {
        // Commit often so tests see output quickly.
        Map<String, String> env = serviceEnv(
                bootstrapServers(), registryUrl(), stateDir, 0, Map.of("SIGHTLINE_KAFKA_COMMIT_INTERVAL_MS", "100"));
        env.putAll(extra);
        return env;
    }

    /**
     * The environment of one service of an in-process pipeline: its {@code settings}, then
     * what points it at the broker and registry and what is its own (HTTP port, state
     * directory), which no setting overrides: one value for all would make services collide.
     */
    public static Map<String, String> serviceEnv(
            String bootstrapServers, String registryUrl, Path stateDir, int httpPort, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("SIGHTLINE_SCHEMA_REGISTRY_URL", registryUrl);
        env.put("SIGHTLINE_HTTP_PORT", String.valueOf(httpPort));
        env.put("SIGHTLINE_STATE_DIR", stateDir.toString());
        return env;
    }

    /** Writes Avro records (Confluent wire format) and waits for the acknowledgement. */
    public <V extends SpecificRecord> void produce(String topic, String key, V value) {
        produce(topic, key, value, null);
    }

    /** Writes one record with the given record timestamp (null: now), e.g. a window update at its event time. */
    public <V extends SpecificRecord> void produce(String topic, String key, V value, java.time.Instant timestamp) {
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new AvroSerializer<>(topics.registry()))) {
            producer.send(new ProducerRecord<>(
                            topic, null, timestamp == null ? null : timestamp.toEpochMilli(), key, value))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /**
     * A producer of Avro records tuned for loading a benchmark's backlog: large batches, a short
     * linger, every write acknowledged by all replicas. The caller closes it.
     */
    public <V extends SpecificRecord> KafkaProducer<String, V> bulkProducer() {
        return new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrapServers(), "acks", "all", "linger.ms", 20, "batch.size", 262144),
                new StringSerializer(),
                new AvroSerializer<>(topics.registry()));
    }

    /** Writes raw bytes, for poison-record tests. */
    public void produceBytes(String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /**
     * Reads {@code topic} from the beginning until a record matches {@code found}, or
     * fails after {@code timeout}; answers every record read (committed ones only).
     */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readUntil(
            String topic, Class<V> type, Duration timeout, Predicate<ConsumerRecord<String, V>> found) {
        List<ConsumerRecord<String, V>> seen = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrapServers(),
                        "group.id",
                        "test-reader-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed"),
                new StringDeserializer(),
                new AvroDeserializer<>(topics.registry(), type))) {
            consumer.subscribe(Set.of(topic));
            await().atMost(timeout).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.stream().anyMatch(found);
            });
        }
        return seen;
    }

    /** A reader that follows {@code topic} from the beginning, committed records only. */
    public <V extends SpecificRecord> TopicReader<V> follow(String topic, Class<V> type) {
        return new TopicReader<>(bootstrapServers(), topics.registry(), topic, type);
    }

    /**
     * Every committed record of {@code topic} from the beginning up to its end as it is
     * now (the last stable offset), for exact assertions once the writers have stopped;
     * fails after {@code timeout}.
     */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(
            String topic, Class<V> type, Duration timeout) {
        try (TopicReader<V> reader = follow(topic, type)) {
            return reader.readToEnd(timeout);
        }
    }

    @Override
    public void close() {
        registry.close();
        kafka.close();
    }
}
