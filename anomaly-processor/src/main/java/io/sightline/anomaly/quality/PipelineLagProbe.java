package io.sightline.anomaly.quality;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.anomaly.rules.DataQualityRules;
import io.sightline.common.concurrent.DaemonScheduler;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topic;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how far each pipeline stage (a Streams application, by its consumer group)
 * is behind its input, and publishes it as the series
 * {@code pipeline_lag_seconds{stage=<group>}} in {@code metrics.windowed.v1}, where the
 * built-in threshold rule judges it and the dashboard shows it.
 * <p>
 * A stage's lag is the age of the oldest record it has not consumed yet: for every
 * partition whose committed offset is behind the (read-committed) end, the record at
 * the committed offset is read and its timestamp compared with now; the stage's lag is
 * the largest. A transaction marker at the end counts as an offset but holds no record,
 * so a caught-up exactly-once stage reads as 0 s. Each minute's value is the largest
 * lag measured in it, so a backlog that lasted a minute shows even if it cleared since.
 * <p>
 * A stage that is starting is not judged: while its group rebalances, and once it is
 * stable until it commits progress (a Streams app restoring its stores consumes nothing),
 * for at most {@link #STARTUP_GRACE}, its lag is measured and shown but not published, so
 * no lag alert fires for a service that is only starting or restoring. A stage that is
 * down (no members) is judged as before: that is what the alert is for.
 */
public final class PipelineLagProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PipelineLagProbe.class);
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    /** The longest a stable stage may go without committing progress before its lag is judged. */
    static final Duration STARTUP_GRACE = Duration.ofMinutes(10);

    /**
     * One stage's lag: unconsumed offsets (markers included), the age of the oldest unconsumed
     * record, and whether the stage is starting (then it is not judged).
     */
    public record StageLag(String stage, long records, double seconds, boolean starting) {}

    /** What a stage committed when it was first seen stable, and when: progress beyond it ends its start. */
    private record Start(Map<TopicPartition, Long> committed, long sinceMillis) {}

    private final Map<String, Start> starting = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> reader;
    private final KafkaProducer<String, MetricWindow> producer;
    private final Topic<String, MetricWindow> metrics;
    private final List<String> stages;
    private final Duration interval;
    private final Clock clock;
    private final Map<String, StageLag> latest = new ConcurrentHashMap<>();
    private final Map<String, double[]> minuteMax = new HashMap<>(); // stage -> {window start, max seconds, probes}
    private final ScheduledExecutorService scheduler = DaemonScheduler.singleThread("pipeline-lag-probe");
    private volatile boolean failing;
    private volatile long measuredAtMillis = -1;

    public PipelineLagProbe(
            Map<String, Object> clientProperties,
            Topic<String, MetricWindow> metrics,
            List<String> stages,
            Duration interval,
            MeterRegistry registry,
            Clock clock) {
        this.metrics = metrics;
        this.stages = List.copyOf(stages);
        this.interval = interval;
        this.clock = clock;
        Map<String, Object> adminProps = new HashMap<>(clientProperties);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "sightline-pipeline-lag-admin");
        this.admin = Admin.create(adminProps);
        Map<String, Object> readerProps = new HashMap<>(clientProperties);
        readerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "sightline-pipeline-lag-reader");
        readerProps.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.toString().toLowerCase(java.util.Locale.ROOT));
        readerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        readerProps.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                64 * 1024); // only the first record of each partition is read
        this.reader = new KafkaConsumer<>(readerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerProps = new HashMap<>(clientProperties);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "sightline-pipeline-lag-producer");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(
                producerProps,
                metrics.keySerde().serializer(),
                metrics.valueSerde().serializer());
        for (String stage : this.stages) {
            Gauge.builder(
                            "sightline.pipeline.lag.seconds",
                            latest,
                            m -> m.containsKey(stage) ? m.get(stage).seconds() : Double.NaN)
                    .tag("stage", stage)
                    .description("Age of the oldest record the stage has not consumed yet")
                    .register(registry);
            Gauge.builder(
                            "sightline.pipeline.lag.records",
                            latest,
                            m -> m.containsKey(stage) ? m.get(stage).records() : Double.NaN)
                    .tag("stage", stage)
                    .description("Offsets the stage is behind its input, summed over partitions")
                    .register(registry);
        }
    }

    /**
     * Whether every stage but {@code self} was measured within two intervals and none is behind
     * more than {@code maxSeconds} (a stage that is starting counts as behind).
     */
    public boolean othersCaughtUp(String self, double maxSeconds) {
        if (measuredAtMillis < 0 || clock.millis() - measuredAtMillis > 2 * interval.toMillis()) {
            return false;
        }
        return latest.values().stream()
                .filter(lag -> !lag.stage().equals(self))
                .allMatch(lag -> !lag.starting() && lag.seconds() <= maxSeconds);
    }

    /** Measures and publishes every {@code interval} on a daemon thread. */
    public PipelineLagProbe start() {
        scheduler.scheduleWithFixedDelay(this::probeAndPublish, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void probeAndPublish() {
        try {
            publish(measure());
            measuredAtMillis = clock.millis();
            if (failing) {
                log.info("Pipeline lag measurement works again");
                failing = false;
            }
        } catch (Exception e) {
            if (!failing) {
                log.warn(
                        "Pipeline lag cannot be measured ({}); retrying every {} ms",
                        e.toString(),
                        interval.toMillis());
                failing = true;
            }
        }
    }

    /** One measurement of every stage; stages without committed offsets (not running, or unknown) are left out. */
    public Map<String, StageLag> measure() throws Exception {
        Map<String, StageLag> out = new LinkedHashMap<>();
        for (String stage : stages) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(stage)
                    .partitionsToOffsetAndMetadata()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            committed.values().removeIf(java.util.Objects::isNull);
            if (committed.isEmpty()) {
                latest.remove(stage);
                continue;
            }
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            committed.keySet().forEach(tp -> request.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                            request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long records = 0;
            Map<TopicPartition, Long> behind = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
                ListOffsetsResult.ListOffsetsResultInfo end = ends.get(c.getKey());
                long gap = end == null
                        ? 0
                        : Math.max(0, end.offset() - c.getValue().offset());
                records += gap;
                if (gap > 0) {
                    behind.put(c.getKey(), c.getValue().offset());
                }
            }
            StageLag lag =
                    new StageLag(stage, records, oldestUnconsumedAgeSeconds(behind), isStarting(stage, committed));
            latest.put(stage, lag);
            out.put(stage, lag);
        }
        return out;
    }

    /**
     * Whether the stage is starting: its group rebalancing, or stable without progress since it was
     * first seen stable (for at most {@link #STARTUP_GRACE}). A group without members is not starting
     * but down, and judged.
     */
    private boolean isStarting(String stage, Map<TopicPartition, OffsetAndMetadata> committed) throws Exception {
        GroupState state = admin.describeConsumerGroups(List.of(stage))
                .all()
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(stage)
                .groupState();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((tp, o) -> offsets.put(tp, o.offset()));
        switch (state) {
            case STABLE -> {
                if (running.contains(stage)) {
                    return false;
                }
                Start start = starting.putIfAbsent(stage, new Start(offsets, clock.millis()));
                if (start == null) {
                    return true;
                }
                boolean progressed = offsets.entrySet().stream()
                        .anyMatch(e -> e.getValue() > start.committed().getOrDefault(e.getKey(), Long.MAX_VALUE));
                if (progressed || clock.millis() - start.sinceMillis() > STARTUP_GRACE.toMillis()) {
                    starting.remove(stage);
                    running.add(stage);
                    return false;
                }
                return true;
            }
            case PREPARING_REBALANCE, COMPLETING_REBALANCE, ASSIGNING, RECONCILING -> {
                running.remove(stage);
                starting.remove(stage);
                return true;
            }
            default -> {
                // Empty (down), dead or unknown: judged as it is.
                running.remove(stage);
                starting.remove(stage);
                return false;
            }
        }
    }

    /** The age of the oldest of the first unconsumed records of {@code behind} (partition to committed offset). */
    private double oldestUnconsumedAgeSeconds(Map<TopicPartition, Long> behind) {
        if (behind.isEmpty()) {
            return 0;
        }
        reader.assign(behind.keySet());
        behind.forEach(reader::seek);
        Map<TopicPartition, Long> firstTimestamp = new HashMap<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        // Partitions whose only unconsumed offset is a transaction marker return nothing: they count as caught up.
        while (firstTimestamp.size() < behind.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (firstTimestamp.putIfAbsent(tp, writtenAt(r)) == null) {
                    reader.pause(List.of(tp));
                }
            }
        }
        reader.unsubscribe();
        long now = clock.millis();
        return firstTimestamp.values().stream()
                .mapToDouble(ts -> Math.max(0, now - ts) / 1000.0)
                .max()
                .orElse(0);
    }

    /**
     * When a record was written: its timestamp, except on the metrics topic, whose records carry
     * their window's event time (a back-filled window is old when written) and say in
     * {@code updatedAt} when the aggregator emitted them.
     */
    private long writtenAt(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(metrics.name()) && r.value() != null) {
            try {
                return metrics.valueSerde()
                        .deserializer()
                        .deserialize(r.topic(), r.value())
                        .getUpdatedAt()
                        .toEpochMilli();
            } catch (RuntimeException e) {
                return r.timestamp(); // not a window update this reader knows: its timestamp then
            }
        }
        return r.timestamp();
    }

    private void publish(Map<String, StageLag> lags) {
        long now = clock.millis();
        long start = now / WINDOW.toMillis() * WINDOW.toMillis();
        List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
        for (StageLag lag : lags.values()) {
            if (lag.starting()) {
                continue; // measured and shown, not judged: see the class comment
            }
            double[] m = minuteMax.compute(
                    lag.stage(),
                    (s, prev) -> prev == null || prev[0] != start
                            ? new double[] {start, lag.seconds(), 1}
                            : new double[] {start, Math.max(prev[1], lag.seconds()), prev[2] + 1});
            Map<String, String> dims = Map.of("stage", lag.stage());
            MetricWindow w = MetricWindow.newBuilder()
                    .setMetric(DataQualityRules.PIPELINE_LAG_METRIC)
                    .setDimensions(dims)
                    .setWindowStart(Instant.ofEpochMilli(start))
                    .setWindowEnd(Instant.ofEpochMilli(start).plus(WINDOW))
                    .setValue(m[1])
                    .setSampleCount((long) m[2])
                    .setMeasure("gauge")
                    .setUpdatedAt(Instant.ofEpochMilli(now))
                    .setValues(Map.of("records", (double) lag.records(), "seconds", lag.seconds()))
                    .build();
            sends.add(producer.send(new ProducerRecord<>(
                    metrics.name(),
                    null,
                    now,
                    SeriesKey.of(DataQualityRules.PIPELINE_LAG_METRIC, dims).toString(),
                    w)));
        }
        producer.flush();
        for (var send : sends) {
            try {
                send.get();
            } catch (Exception e) {
                throw new IllegalStateException("publishing the pipeline lag to " + metrics.name() + " failed", e);
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        reader.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        admin.close(Duration.ofSeconds(5));
    }
}
