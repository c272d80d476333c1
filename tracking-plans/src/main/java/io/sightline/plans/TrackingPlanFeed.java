package io.sightline.plans;

import io.sightline.common.kafka.CompactedTopicFollower;
import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.TrackingPlanVersion;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import io.sightline.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keeps a {@link TrackingPlanStore} in step with {@code quality.plans.v1}: every replica
 * reads the whole compacted topic at start and then follows it, so a plan published
 * through any replica applies everywhere within a poll, without a restart. Publishing
 * writes a version and waits until this replica has applied it.
 */
public final class TrackingPlanFeed implements AutoCloseable {

    private final TrackingPlanStore store;
    private final CompactedTopicFollower<TrackingPlanVersion> follower;
    private final KafkaProducer<String, TrackingPlanVersion> producer;

    public TrackingPlanFeed(
            Map<String, Object> clientProperties,
            SchemaRegistryClient registry,
            TrackingPlanStore store,
            String clientId) {
        this.store = store;
        this.follower = new CompactedTopicFollower<>(
                Topics.QUALITY_PLANS,
                clientProperties,
                new AvroDeserializer<>(registry, TrackingPlanVersion.class),
                clientId + "-plans",
                (key, version) -> {
                    if (version != null) {
                        store.apply(version);
                    }
                });
        Map<String, Object> producerProps = KafkaDefaults.durableProducer(new HashMap<>(clientProperties));
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-plans-publisher");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new AvroSerializer<>(registry));
    }

    /** Whether the plans published before start are all applied: until then events must not be checked. */
    public boolean isLoaded() {
        return follower.isLoaded();
    }

    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return follower.awaitLoaded(timeout);
    }

    /**
     * Writes a compiled plan as its version and waits until this replica applied it.
     *
     * @throws IllegalStateException when Kafka did not acknowledge or the feed did not catch up in time
     */
    public void publish(TrackingPlan plan, Duration timeout) {
        TrackingPlanVersion record = TrackingPlanVersion.newBuilder()
                .setName(plan.name())
                .setVersion(plan.version())
                .setDocument(plan.document().toString())
                .setPublishedAt(Instant.now())
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            producer.send(new ProducerRecord<>(Topics.QUALITY_PLANS, plan.name() + ":" + plan.version(), record))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka did not store tracking plan " + plan.label() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + plan.label(), e);
        }
        try {
            if (!store.awaitVersion(
                    plan.name(), plan.version(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                throw new IllegalStateException(
                        "tracking plan " + plan.label() + " is stored but not applied yet; it will be within seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + plan.label() + " to apply", e);
        }
    }

    @Override
    public void close() {
        follower.close();
        producer.close(Duration.ofSeconds(5));
    }
}
