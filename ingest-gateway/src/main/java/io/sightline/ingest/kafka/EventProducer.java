package io.sightline.ingest.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes accepted events to {@code events.raw.v1} and rejected ones to
 * {@code events.invalid.v1} with an idempotent, {@code acks=all} producer, and waits
 * (boundedly) for Kafka's acknowledgement, so the gateway answers 2xx only for events
 * that are durably stored.
 */
public final class EventProducer implements AutoCloseable {

    /** Kafka did not acknowledge in time, or the producer could not take the records: answer 503. */
    public static final class NotAcknowledgedException extends RuntimeException {
        public NotAcknowledgedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final KafkaProducer<String, SpecificRecord> producer;
    private final KafkaClientMetrics metrics;
    private final Duration ackTimeout;
    private final MeterRegistry meterRegistry;
    private final java.util.concurrent.ConcurrentMap<String, Timer> ackTimers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long lastFailureNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    public EventProducer(
            Map<String, Object> clientProps,
            SchemaRegistryClient registry,
            Duration ackTimeout,
            MeterRegistry meterRegistry) {
        Map<String, Object> props = KafkaDefaults.durableProducer(clientProps);
        // send() must not hold an HTTP thread when Kafka is away or the buffer is full: fail fast into a 503.
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ingest-gateway");
        // Many small requests at once: a slightly longer linger fills batches without costing much latency,
        // and the acknowledgement wait is bounded anyway.
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        // Bounded memory: when 64 MB wait for Kafka, send() blocks at most max.block.ms and the request gets 503.
        props.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<>(registry));
        this.metrics = new KafkaClientMetrics(producer);
        this.metrics.bindTo(meterRegistry);
        this.ackTimeout = ackTimeout;
        this.meterRegistry = meterRegistry;
        Gauge.builder(
                        "sightline.ingest.producer.buffer.used",
                        this,
                        p -> p.producerMetric("buffer-total-bytes") - p.producerMetric("buffer-available-bytes"))
                .description("Bytes of the producer's buffer holding records not yet acknowledged by Kafka")
                .baseUnit("bytes")
                .register(meterRegistry);
        Gauge.builder("sightline.ingest.producer.buffer.total", this, p -> p.producerMetric("buffer-total-bytes"))
                .description("Size of the producer's buffer (buffer.memory)")
                .baseUnit("bytes")
                .register(meterRegistry);
    }

    private double producerMetric(String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics")) {
                Object value = e.getValue().metricValue();
                return value instanceof Number n ? n.doubleValue() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** Key that keeps one user's events of one source in order. */
    public static String key(TrackedEvent event) {
        return event.getSource() + ":" + (event.getUserId() != null ? event.getUserId() : event.getAnonymousId());
    }

    /** Sends all events and returns once Kafka acknowledged every one. */
    public void sendAndAwait(List<TrackedEvent> events) {
        sendAndAwait(events, List.of());
    }

    /** Sends all events and the tracking-plan violations found in them, and returns once Kafka acknowledged every one. */
    public void sendAndAwait(List<TrackedEvent> events, List<QualityViolation> violations) {
        List<Future<RecordMetadata>> pending = new ArrayList<>(events.size() + violations.size());
        long start = System.nanoTime();
        // Each send() may block up to max.block.ms (full buffer, unknown metadata): without this bound a batch of
        // 2,500 events could hold the request for 2,500 times that.
        long deadline = start + ackTimeout.toNanos();
        try {
            for (TrackedEvent event : events) {
                ProducerRecord<String, SpecificRecord> record =
                        new ProducerRecord<>(Topics.EVENTS_RAW, key(event), event);
                record.headers().add("messageId", event.getMessageId().getBytes(StandardCharsets.UTF_8));
                record.headers().add("source", event.getSource().getBytes(StandardCharsets.UTF_8));
                Future<RecordMetadata> sent = producer.send(record);
                pending.add(sent);
                if (sent.isDone() || System.nanoTime() - deadline > 0) {
                    // Failed at once (buffer exhausted, metadata timeout) or out of time: the rest would fare no
                    // better.
                    failFast(sent);
                }
            }
            for (QualityViolation violation : violations) {
                pending.add(producer.send(
                        new ProducerRecord<>(Topics.QUALITY_VIOLATIONS, violation.getSource(), violation)));
            }
        } catch (KafkaException e) {
            throw failed("Kafka could not take the events: " + e.getMessage(), e);
        }
        awaitTimed(Topics.EVENTS_RAW, pending, start);
    }

    private void failFast(Future<RecordMetadata> sent) {
        if (sent.isDone()) {
            try {
                sent.get();
                return;
            } catch (ExecutionException e) {
                throw failed("Kafka could not take the events: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted while handing events to Kafka", e);
            }
        }
        throw failed("Kafka could not take the events within " + ackTimeout.toMillis() + " ms", null);
    }

    private void awaitTimed(String topic, List<Future<RecordMetadata>> pending, long start) {
        String outcome = "acknowledged";
        try {
            await(pending);
        } catch (NotAcknowledgedException e) {
            outcome = "failed";
            throw e;
        } finally {
            String name = outcome;
            ackTimers
                    .computeIfAbsent(
                            topic + ' ' + outcome,
                            k -> Timer.builder("sightline.ingest.kafka.ack")
                                    .description(
                                            "Time from handing a request's records to the producer until Kafka acknowledged all of them")
                                    .tag("topic", topic)
                                    .tag("outcome", name)
                                    .publishPercentileHistogram()
                                    .minimumExpectedValue(Duration.ofMillis(1))
                                    .maximumExpectedValue(Duration.ofSeconds(30))
                                    .register(meterRegistry))
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** Writes what the gateway observed of each event name to {@code quality.observations.v1} and waits for the acknowledgement. */
    public void sendObservationsAndAwait(List<EventCatalogEntry> observations) {
        long start = System.nanoTime();
        List<Future<RecordMetadata>> pending = new ArrayList<>(observations.size());
        try {
            for (EventCatalogEntry o : observations) {
                String key = Topics.catalogKey(o.getSource(), o.getEventType().name(), o.getEventName());
                pending.add(producer.send(new ProducerRecord<>(Topics.QUALITY_OBSERVATIONS, key, o)));
            }
        } catch (KafkaException e) {
            throw failed("Kafka could not take the observations: " + e.getMessage(), e);
        }
        awaitTimed(Topics.QUALITY_OBSERVATIONS, pending, start);
    }

    /** Records a rejected input with its reason and waits for the acknowledgement. */
    public void sendDeadLetterAndAwait(String key, DeadLetter letter) {
        long start = System.nanoTime();
        try {
            awaitTimed(
                    Topics.EVENTS_INVALID,
                    List.of(producer.send(new ProducerRecord<>(Topics.EVENTS_INVALID, key, letter))),
                    start);
        } catch (KafkaException e) {
            throw failed("Kafka could not take the dead letter: " + e.getMessage(), e);
        }
    }

    /** False while recent writes failed: the gateway then reports not ready. */
    public boolean isHealthy() {
        return System.nanoTime() - lastFailureNanos > TimeUnit.SECONDS.toNanos(10);
    }

    private void await(List<Future<RecordMetadata>> pending) {
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        for (Future<RecordMetadata> future : pending) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw failed("Kafka did not acknowledge within " + ackTimeout.toMillis() + " ms", e);
            } catch (ExecutionException e) {
                throw failed("Kafka rejected the write: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted while waiting for Kafka", e);
            }
        }
    }

    private NotAcknowledgedException failed(String message, Throwable cause) {
        lastFailureNanos = System.nanoTime();
        return new NotAcknowledgedException(message, cause);
    }

    @Override
    public void close() {
        metrics.close();
        // close() sends what is still buffered and waits for it, within the bound.
        producer.close(Duration.ofSeconds(10));
    }
}
