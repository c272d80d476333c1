package io.sightline.common.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a compacted control topic in every replica of a service: reads it whole from
 * the beginning at start, then every new record within a poll, and hands each to
 * {@code apply} (a null value is a tombstone). No consumer group: every replica sees
 * every record. {@link #isLoaded()} says when everything written before the start has
 * been applied. Tracking plans and privacy regulations reach the gateways this way.
 */
public final class CompactedTopicFollower<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompactedTopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final BiConsumer<String, V> apply;
    private final Thread thread;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile boolean running = true;

    public CompactedTopicFollower(
            String topic,
            Map<String, Object> clientProperties,
            Deserializer<V> valueDeserializer,
            String clientId,
            BiConsumer<String, V> apply) {
        this.topic = topic;
        this.apply = apply;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), valueDeserializer);
        this.thread = new Thread(this::follow, topic + "-follower");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Whether the records written before the start are all applied. */
    public boolean isLoaded() {
        return loaded.getCount() == 0;
    }

    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void follow() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, V> r : consumer.poll(POLL)) {
                    apply.accept(r.key(), r.value());
                }
                if (loaded.getCount() > 0
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    log.info("{} loaded", topic);
                    loaded.countDown();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error(
                    "following {} stopped; records written from now on are not applied here: {}",
                    topic,
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
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (!logged) {
                log.warn("waiting for topic {} to exist", topic);
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
    }
}
