package io.sightline.anomaly.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lag probe against a real broker: consumer groups behind and caught up, and the published series. */
class PipelineLagProbeIT {

    private static final String INPUT = "lag-probe-input";

    @TempDir
    Path dir;

    @Test
    void shouldMeasureHowOldTheOldestUnconsumedRecordOfEachStageIsAndPublishIt() throws Exception {
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(INPUT, 2, (short) 1))).all().get();
            // Partition 0 holds records 300 s old, partition 1 records 30 s old.
            produceTenAged(env, INPUT, 0, Duration.ofSeconds(300));
            produceTenAged(env, INPUT, 1, Duration.ofSeconds(30));
            // "behind" has consumed 4 records of partition 0 and all of partition 1; "caught-up" everything.
            admin.alterConsumerGroupOffsets(
                            "behind",
                            Map.of(
                                    new TopicPartition(INPUT, 0),
                                    new OffsetAndMetadata(4),
                                    new TopicPartition(INPUT, 1),
                                    new OffsetAndMetadata(10)))
                    .all()
                    .get();
            admin.alterConsumerGroupOffsets(
                            "caught-up",
                            Map.of(
                                    new TopicPartition(INPUT, 0),
                                    new OffsetAndMetadata(10),
                                    new TopicPartition(INPUT, 1),
                                    new OffsetAndMetadata(10)))
                    .all()
                    .get();

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Map<String, Object> clients = new HashMap<>(Map.of("bootstrap.servers", env.bootstrapServers()));
            try (PipelineLagProbe probe = new PipelineLagProbe(
                    clients,
                    env.topics().metricsWindowed(),
                    List.of("behind", "caught-up", "not-running"),
                    Duration.ofSeconds(15),
                    registry,
                    Clock.systemUTC())) {
                Map<String, PipelineLagProbe.StageLag> lags = probe.measure();

                assertThat(lags).containsOnlyKeys("behind", "caught-up");
                assertThat(lags.get("behind").records()).isEqualTo(6);
                assertThat(lags.get("behind").seconds())
                        .as("the record at offset 4 of partition 0")
                        .isBetween(299.0, 360.0);
                assertThat(lags.get("caught-up").records()).isZero();
                assertThat(lags.get("caught-up").seconds()).isZero();
                assertThat(registry.get("sightline.pipeline.lag.seconds")
                                .tag("stage", "behind")
                                .gauge()
                                .value())
                        .isCloseTo(lags.get("behind").seconds(), within(0.001));
                assertThat(registry.get("sightline.pipeline.lag.seconds")
                                .tag("stage", "not-running")
                                .gauge()
                                .value())
                        .isNaN();

                probe.probeAndPublish();

                String key = SeriesKey.of("pipeline_lag_seconds", Map.of("stage", "behind"))
                        .toString();
                var published = env.readUntil(
                        Topics.METRICS_WINDOWED,
                        MetricWindow.class,
                        Duration.ofSeconds(30),
                        r -> r.key().equals(key));
                MetricWindow window = published.get(published.size() - 1).value();
                assertThat(window.getMetric()).isEqualTo("pipeline_lag_seconds");
                assertThat(window.getDimensions()).containsEntry("stage", "behind");
                assertThat(window.getValue()).isBetween(299.0, 360.0);
                assertThat(window.getValues()).containsEntry("records", 6.0);
                assertThat(Duration.between(window.getWindowStart(), window.getWindowEnd()))
                        .isEqualTo(Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void shouldNotJudgeAStageThatIsStartingUntilItCommitsProgressButJudgeOneThatIsDown() throws Exception {
        String input = "lag-probe-restoring";
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, 1, (short) 1))).all().get();
            produceTenAged(env, input, 0, Duration.ofSeconds(600));
            TopicPartition partition = new TopicPartition(input, 0);
            admin.alterConsumerGroupOffsets("restoring", Map.of(partition, new OffsetAndMetadata(0)))
                    .all()
                    .get();

            // A member that holds the partition and consumes nothing, as a Streams app restoring its stores.
            AtomicLong commit = new AtomicLong(-1);
            AtomicBoolean stop = new AtomicBoolean();
            Thread member = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                env.bootstrapServers(),
                                "group.id",
                                "restoring",
                                "enable.auto.commit",
                                false),
                        new StringDeserializer(),
                        new StringDeserializer())) {
                    consumer.subscribe(List.of(input));
                    while (!stop.get()) {
                        consumer.poll(Duration.ofMillis(100));
                        consumer.pause(consumer.assignment());
                        long offset = commit.getAndSet(-1);
                        if (offset >= 0) {
                            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset)));
                        }
                    }
                }
            });
            member.start();
            try (PipelineLagProbe probe = probe(env, "restoring")) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> admin.describeConsumerGroups(List.of("restoring"))
                                        .all()
                                        .get()
                                        .get("restoring")
                                        .groupState()
                                == GroupState.STABLE);
                PipelineLagProbe.StageLag restoring = probe.measure().get("restoring");
                assertThat(restoring.seconds()).as("measured all the same").isGreaterThan(500);
                assertThat(restoring.starting()).isTrue();
                probe.probeAndPublish();
                assertThat(probe.othersCaughtUp("sightline-anomaly", 120))
                        .as("a stage that is starting is not caught up")
                        .isFalse();
                assertThat(probe.measure().get("restoring").starting())
                        .as("still no progress")
                        .isTrue();

                commit.set(5);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !probe.measure().get("restoring").starting());
                probe.probeAndPublish();
                String key = SeriesKey.of("pipeline_lag_seconds", Map.of("stage", "restoring"))
                        .toString();
                var published = env.readUntil(
                        Topics.METRICS_WINDOWED,
                        MetricWindow.class,
                        Duration.ofSeconds(30),
                        r -> r.key().equals(key));
                assertThat(published.get(published.size() - 1).value().getValue())
                        .as("once it moves, a stage behind is judged")
                        .isGreaterThan(500);

                stop.set(true);
                member.join(10_000);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> admin.describeConsumerGroups(List.of("restoring"))
                                        .all()
                                        .get()
                                        .get("restoring")
                                        .groupState()
                                == GroupState.EMPTY);
                assertThat(probe.measure().get("restoring").starting())
                        .as("a stage without members is down, not starting")
                        .isFalse();
            } finally {
                stop.set(true);
                member.join(10_000);
            }
        }
    }

    @Test
    void shouldAgeAMetricWindowByWhenItWasEmittedNotByItsEventTime() throws Exception {
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrapServers()))) {
            Instant emitted = Instant.now().minusSeconds(5);
            Instant windowStart = emitted.minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MINUTES);
            // A back-filled window: its record carries its event time, half an hour old, written 5 s ago.
            env.produce(
                    Topics.METRICS_WINDOWED,
                    "event_count{}",
                    MetricWindow.newBuilder()
                            .setMetric("event_count")
                            .setDimensions(Map.of())
                            .setWindowStart(windowStart)
                            .setWindowEnd(windowStart.plus(Duration.ofMinutes(1)))
                            .setValue(1)
                            .setUpdatedAt(emitted)
                            .build(),
                    windowStart);
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (var p : admin.describeTopics(List.of(Topics.METRICS_WINDOWED))
                    .allTopicNames()
                    .get()
                    .get(Topics.METRICS_WINDOWED)
                    .partitions()) {
                start.put(new TopicPartition(Topics.METRICS_WINDOWED, p.partition()), new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets("window-reader", start).all().get();

            try (PipelineLagProbe probe = probe(env, "window-reader")) {
                PipelineLagProbe.StageLag lag = probe.measure().get("window-reader");
                assertThat(lag.records()).isEqualTo(1);
                assertThat(lag.seconds()).as("emitted 5 s ago, not 30 minutes").isBetween(4.0, 60.0);
                assertThat(probe.othersCaughtUp("window-reader", 120))
                        .as("not measured by the schedule yet")
                        .isFalse();
                probe.probeAndPublish();
                assertThat(probe.othersCaughtUp("sightline-anomaly", 120)).isTrue();
                assertThat(probe.othersCaughtUp("sightline-anomaly", 1)).isFalse();
            }
        }
    }

    /** Ten records on one partition, stamped {@code age} ago. */
    private static void produceTenAged(PipelineEnvironment env, String topic, int partition, Duration age)
            throws Exception {
        long at = System.currentTimeMillis() - age.toMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, partition, at + i, "k", "v" + i))
                        .get();
            }
        }
    }

    /** A probe of one stage, every 15 s (the tests call it themselves). */
    private static PipelineLagProbe probe(PipelineEnvironment env, String stage) {
        return new PipelineLagProbe(
                new HashMap<>(Map.of("bootstrap.servers", env.bootstrapServers())),
                env.topics().metricsWindowed(),
                List.of(stage),
                Duration.ofSeconds(15),
                new SimpleMeterRegistry(),
                Clock.systemUTC());
    }
}
