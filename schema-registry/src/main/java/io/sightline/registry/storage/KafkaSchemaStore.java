package io.sightline.registry.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.schemas.registry.CompatibilityLevel;
import io.sightline.schemas.registry.RegistryState;
import io.sightline.schemas.registry.SchemaRegistryClient.RegisteredSchema;
import io.sightline.schemas.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state, durable in a single-partition compacted Kafka topic, in the
 * record format of Confluent's registry (JSON keys {@code {"keytype":"SCHEMA",...}}
 * and {@code {"keytype":"CONFIG",...}}). A reader thread applies the topic to the
 * in-memory {@link RegistryState}; a write is answered only once that thread has
 * applied it, so a restart, or a second instance reading the same topic, sees the same
 * ids. One instance writes at a time.
 */
public final class KafkaSchemaStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final TopicPartition partition;
    private final RegistryState state = new RegistryState();
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;
    private volatile boolean running = true;
    private long appliedUpTo = -1; // guarded by this: the offset after the last applied record
    private final Object writeLock = new Object();

    public KafkaSchemaStore(Map<String, Object> clientProps, String topic, short replicationFactor) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        ensureTopic(clientProps, topic, replicationFactor);
        Map<String, Object> producerProps = new java.util.HashMap<>(clientProps);
        producerProps.put("acks", "all");
        producerProps.put("enable.idempotence", true);
        this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        Map<String, Object> consumerProps = new java.util.HashMap<>(clientProps);
        consumerProps.put("enable.auto.commit", false);
        consumerProps.put("isolation.level", "read_committed");
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        this.reader = new Thread(this::readLoop, "schema-store-reader");
        reader.setDaemon(true);
        reader.start();
        awaitApplied(end);
        log.info(
                "Schema store loaded {} subjects from {} ({} records)",
                state.subjects().size(),
                topic,
                end);
    }

    /** Reads state under the store's lock. */
    public synchronized <T> T read(Function<RegistryState, T> query) {
        return query.apply(state);
    }

    /** Registers {@code schema} under {@code subject}, durably; answers the existing version when already there. */
    public RegisteredSchema register(String subject, Schema schema) {
        synchronized (writeLock) {
            RegistryState.Plan plan = read(s -> s.plan(subject, schema));
            if (!plan.isNew()) {
                return plan.registered();
            }
            RegisteredSchema r = plan.registered();
            ObjectNode key = JSON.createObjectNode()
                    .put("keytype", "SCHEMA")
                    .put("subject", subject)
                    .put("version", r.version())
                    .put("magic", 1);
            ObjectNode value = JSON.createObjectNode()
                    .put("subject", subject)
                    .put("version", r.version())
                    .put("id", r.id())
                    .put("schema", schema.toString())
                    .put("deleted", false);
            write(key, value);
            return r;
        }
    }

    /** Sets the compatibility level globally ({@code subject == null}) or for one subject. */
    public void setLevel(String subject, CompatibilityLevel level) {
        synchronized (writeLock) {
            ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0);
            if (subject == null) {
                key.putNull("subject");
            } else {
                key.put("subject", subject);
            }
            write(key, JSON.createObjectNode().put("compatibilityLevel", level.name()));
        }
    }

    private void write(ObjectNode key, ObjectNode value) {
        try {
            long offset = producer.send(new ProducerRecord<>(topic, 0, bytes(key), bytes(value)))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .offset();
            awaitApplied(offset + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(
                    500, SchemaRegistryException.STORE_ERROR, "Interrupted while writing to " + topic);
        } catch (ExecutionException | TimeoutException e) {
            throw new SchemaRegistryException(
                    500,
                    SchemaRegistryException.STORE_ERROR,
                    "Cannot write to the schemas topic " + topic + ": " + e.getMessage());
        }
    }

    private synchronized void awaitApplied(long offset) {
        long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
        while (appliedUpTo < offset) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SchemaRegistryException(
                        500,
                        SchemaRegistryException.STORE_ERROR,
                        "Timed out reading the schemas topic " + topic + " up to offset " + offset);
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(
                        500, SchemaRegistryException.STORE_ERROR, "Interrupted while reading " + topic);
            }
        }
    }

    private void readLoop() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                synchronized (this) {
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        apply(record);
                    }
                    appliedUpTo = consumer.position(partition);
                    notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Schema store reader stopped; the registry can no longer accept writes", e);
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            JsonNode key = JSON.readTree(record.key());
            JsonNode value = record.value() == null ? null : JSON.readTree(record.value());
            switch (key.path("keytype").asText()) {
                case "SCHEMA" -> {
                    if (value != null && !value.path("deleted").asBoolean(false)) {
                        state.apply(new RegisteredSchema(
                                value.path("subject").asText(),
                                value.path("version").asInt(),
                                value.path("id").asInt(),
                                new Schema.Parser().parse(value.path("schema").asText())));
                    }
                }
                case "CONFIG" -> {
                    String subject =
                            key.path("subject").isNull() || key.path("subject").isMissingNode()
                                    ? null
                                    : key.path("subject").asText();
                    state.applyLevel(
                            subject,
                            value == null
                                    ? null
                                    : CompatibilityLevel.parse(
                                            value.path("compatibilityLevel").asText()));
                }
                default ->
                    log.debug(
                            "Ignoring record of key type {} at offset {}",
                            key.path("keytype").asText(),
                            record.offset());
            }
        } catch (Exception e) {
            log.warn("Skipping unreadable record at {}@{}: {}", topic, record.offset(), e.getMessage());
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void ensureTopic(Map<String, Object> clientProps, String topic, short replicationFactor) {
        try (Admin admin = Admin.create(clientProps)) {
            NewTopic t = new NewTopic(topic, 1, replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "Cannot create the schemas topic " + topic + ": "
                                + e.getCause().getMessage() + "; check SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS",
                        e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka did not answer within 30 s while creating " + topic
                            + "; check SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS",
                    e);
        }
    }

    public Optional<Schema> schemaById(int id) {
        return read(s -> s.schemaById(id));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        producer.close(Duration.ofSeconds(5));
    }
}
