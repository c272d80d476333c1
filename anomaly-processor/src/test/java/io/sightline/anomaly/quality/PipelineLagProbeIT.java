package io.sightline.anomaly.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
            long now = System.currentTimeMillis();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    // Partition 0 holds records 300 s old, partition 1 records 30 s old.
                    producer.send(new ProducerRecord<>(INPUT, 0, now - 300_000 + i, "k", "v" + i))
                            .get();
                    producer.send(new ProducerRecord<>(INPUT, 1, now - 30_000 + i, "k", "v" + i))
                            .get();
                }
            }
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
}
