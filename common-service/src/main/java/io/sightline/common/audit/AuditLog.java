package io.sightline.common.audit;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.sightline.common.http.Caller;
import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.AuditEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail on {@code audit.v1}: one {@link AuditEntry} per admin action or read of
 * per-user data, allowed or refused, with the credential's name (never the token), the
 * route, the client's address and the status answered; and reading it back by time.
 * Writing never holds a request up: a record Kafka cannot take is logged (without the
 * entry's address) and counted by the producer's metrics.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    /** The most entries one read answers. */
    public static final int MAX_ENTRIES = 10_000;

    private final String service;
    private final Topic<String, AuditEntry> topic;
    private final Map<String, Object> clientProperties;
    private final KafkaProducer<String, AuditEntry> producer;

    public AuditLog(String service, Topics topics, Map<String, Object> clientProperties) {
        this.service = service;
        this.topic = topics.audit();
        this.clientProperties = Map.copyOf(clientProperties);
        Map<String, Object> props = KafkaDefaults.durableProducer(new HashMap<>(clientProperties));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, service + "-audit");
        this.producer = new KafkaProducer<>(
                props, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /** Records the request that {@code ctx} answered, by whoever the access check found. */
    public void record(Context ctx) {
        Caller caller = ctx.attribute(Caller.ATTRIBUTE);
        String credential = caller == null ? "unknown" : caller.name();
        // The route that answered, or the path itself when none did (refused before routing, or not found).
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        AuditEntry entry = new AuditEntry(
                Instant.now(),
                service,
                credential,
                ctx.method().name() + " " + (matched == null ? ctx.path() : matched.path),
                ctx.path(),
                ctx.ip(),
                ctx.statusCode());
        producer.send(new ProducerRecord<>(topic.name(), credential, entry), (metadata, e) -> {
            if (e != null) {
                LOG.error("Audit entry of {} {} not stored: {}", credential, entry.getAction(), e.getMessage());
            }
        });
    }

    /** The entries from {@code from} (inclusive) to {@code to} (exclusive), oldest first, at most {@code limit}. */
    public List<AuditEntry> read(Instant from, Instant to, int limit) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, service + "-audit-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<AuditEntry> entries = new ArrayList<>();
        try (KafkaConsumer<String, AuditEntry> consumer = new KafkaConsumer<>(
                props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> starts = new HashMap<>();
            partitions.forEach(p -> starts.put(p, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> first = consumer.offsetsForTimes(starts, Duration.ofSeconds(10));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            List<TopicPartition> pending = new ArrayList<>();
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp at = first.get(p);
                if (at != null && at.offset() < ends.get(p)) {
                    consumer.seek(p, at.offset());
                    pending.add(p);
                }
            }
            consumer.assign(pending);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, AuditEntry> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.timestamp() < to.toEpochMilli() && r.value() != null) {
                        entries.add(r.value());
                    }
                }
                pending.removeIf(p -> consumer.position(p) >= ends.get(p));
                consumer.assign(pending);
            }
        }
        entries.sort(Comparator.comparing(AuditEntry::getAt));
        return List.copyOf(entries.size() > limit ? entries.subList(0, limit) : entries);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
