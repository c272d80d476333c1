package io.sightline.serving.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import io.sightline.serving.query.AlertView;
import io.sightline.serving.query.MetricSeries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails {@code metrics.windowed.v1} and {@code alerts.v1} from their ends (no consumer
 * group: every replica sees every update) and hands each update to the live-stream
 * subscribers that asked for it. Each subscriber has a bounded queue: a client too
 * slow to keep up loses the oldest updates (counted), never the server's memory.
 */
public final class LiveUpdates implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveUpdates.class);
    static final int QUEUE_CAPACITY = 1_000;

    /** One update as sent on the stream: {@code metric} or {@code alert}, with its data. */
    public record Update(long id, String type, String metric, Object data) {}

    /** A live-stream client's mailbox, filtered by metric names (empty: everything). */
    public final class Subscription implements AutoCloseable {
        private final Set<String> metrics;
        private final BlockingQueue<Update> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

        private Subscription(Set<String> metrics) {
            this.metrics = metrics;
        }

        /** The next update, or null after {@code timeout} without one (time for a heartbeat). */
        public Update next(Duration timeout) throws InterruptedException {
            return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void offer(Update update) {
            if (!metrics.isEmpty() && !metrics.contains(update.metric())) {
                return;
            }
            while (!queue.offer(update)) {
                queue.poll();
                dropped.increment();
            }
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroDeserializer<MetricWindow> metricReader;
    private final AvroDeserializer<Alert> alertReader;
    private volatile Counter dropped = new io.micrometer.core.instrument.simple.SimpleMeterRegistry()
            .counter("sightline.serving.live.updates.dropped");
    private final AtomicLong sequence = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public LiveUpdates(Map<String, Object> clientProps, SchemaRegistryClient registry) {
        Map<String, Object> props = new java.util.HashMap<>(clientProps);
        props.put("enable.auto.commit", false);
        props.put("isolation.level", "read_committed");
        props.putIfAbsent("client.id", "serving-api-live");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.metricReader = new AvroDeserializer<>(registry, MetricWindow.class);
        this.alertReader = new AvroDeserializer<>(registry, Alert.class);
        this.thread = new Thread(this::run, "live-updates");
        this.thread.setDaemon(true);
    }

    /** Publishes the live stream's metrics (subscribers, dropped updates) to the service's registry. */
    public void bindTo(MeterRegistry meters) {
        dropped = Counter.builder("sightline.serving.live.updates.dropped")
                .description("Live-stream updates dropped because a client was too slow")
                .register(meters);
        meters.gauge("sightline.serving.live.subscribers", subscriptions, Set::size);
    }

    public void start() {
        thread.start();
    }

    public Subscription subscribe(Set<String> metrics) {
        Subscription s = new Subscription(Set.copyOf(metrics));
        subscriptions.add(s);
        return s;
    }

    public int subscribers() {
        return subscriptions.size();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.METRICS_WINDOWED, Topics.ALERTS)) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    publish(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Live updates stopped: the live stream gets no more updates until restart", e);
        }
    }

    private void publish(ConsumerRecord<String, byte[]> record) {
        Update update;
        try {
            if (record.topic().equals(Topics.ALERTS)) {
                Alert alert = alertReader.deserialize(record.topic(), record.value());
                if (alert == null) {
                    return;
                }
                update = new Update(sequence.incrementAndGet(), "alert", alert.getMetric(), AlertView.of(alert));
            } else {
                MetricWindow w = metricReader.deserialize(record.topic(), record.value());
                if (w == null) {
                    return;
                }
                String metric = io.sightline.serving.topology.ServingTopology.baseMetric(w.getMetric())
                        .getKey();
                update = new Update(
                        sequence.incrementAndGet(),
                        "metric",
                        metric,
                        Map.of(
                                "metric", metric,
                                "window",
                                        io.sightline.serving.topology.ServingTopology.baseMetric(w.getMetric())
                                                .getValue()
                                                .toString(),
                                "dimensions", w.getDimensions(),
                                "point", MetricSeries.Point.of(w),
                                "updatedAt", w.getUpdatedAt()));
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Live updates: skipping unreadable record at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getClass().getSimpleName());
            return;
        }
        for (Subscription s : subscriptions) {
            s.offer(update);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
