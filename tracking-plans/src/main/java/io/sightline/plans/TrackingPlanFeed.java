package io.sightline.plans;

import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.TrackingPlanVersion;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import io.sightline.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link TrackingPlanStore} in step with {@code quality.plans.v1}: every replica
 * reads the whole compacted topic at start and then follows it, so a plan published
 * through any replica applies everywhere within a poll, without a restart. Publishing
 * writes a version and waits until this replica has applied it.
 */
public final class TrackingPlanFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrackingPlanFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final TrackingPlanStore store;
    private final KafkaConsumer<String, TrackingPlanVersion> consumer;
    private final KafkaProducer<String, TrackingPlanVersion> producer;
    private final Thread thread;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile boolean running = true;

    public TrackingPlanFeed(
            Map<String, Object> clientProperties,
            SchemaRegistryClient registry,
            TrackingPlanStore store,
            String clientId) {
        this.store = store;
        Map<String, Object> consumerProps = new HashMap<>(clientProperties);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-plans");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(
                consumerProps, new StringDeserializer(), new AvroDeserializer<>(registry, TrackingPlanVersion.class));
        Map<String, Object> producerProps = KafkaDefaults.durableProducer(new HashMap<>(clientProperties));
        producerProps.put(
                org.apache.kafka.clients.producer.ProducerConfig.CLIENT_ID_CONFIG, clientId + "-plans-publisher");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new AvroSerializer<>(registry));
        this.thread = new Thread(this::follow, "tracking-plan-feed");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Whether the plans published before start are all applied: until then events must not be checked. */
    public boolean isLoaded() {
        return loaded.getCount() == 0;
    }

    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

    private void follow() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, TrackingPlanVersion> r : consumer.poll(POLL)) {
                    if (r.value() != null) {
                        store.apply(r.value());
                    }
                }
                if (loaded.getCount() > 0
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    log.info("tracking plans loaded: {}", store.names());
                    loaded.countDown();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error(
                    "tracking plan feed stopped; plans published from now on are not applied here: {}",
                    e.toString(),
                    e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The topic's partitions, once it exists: a service may start before the topics are created. */
    private List<TopicPartition> partitions() {
        boolean logged = false;
        while (running) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(Topics.QUALITY_PLANS, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (!logged) {
                log.warn("waiting for topic {} to exist before loading tracking plans", Topics.QUALITY_PLANS);
                logged = true;
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
