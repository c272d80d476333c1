package io.sightline.aggregate;

import static io.sightline.aggregate.Recount.event;
import static io.sightline.aggregate.Recount.id;
import static io.sightline.aggregate.Recount.recompute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.aggregate.topology.AggregateTopology;
import io.sightline.common.service.StreamsService;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.serde.AvroSerializer;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregate processor on a real broker, exactly-once: stopped mid-stream with its
 * local state thrown away, a new instance restores from the changelogs and finishes;
 * every published aggregate then equals the one recomputed from the input.
 */
class AggregateServiceIT {

    @TempDir
    Path dir;

    @Test
    void shouldPublishAggregatesEqualToTheRecomputationAfterAMidStreamRestart() throws Exception {
        Path definitions = Files.writeString(dir.resolve("metrics.yaml"), """
                metrics:
                  - {name: event_count, measure: {type: count}, dimensions: [event], windows: [1m]}
                  - {name: active_users, measure: {type: unique_users}, windows: [1m]}
                """);
        int total = 3000;
        List<EnrichedEvent> input =
                Stream.iterate(0, i -> i + 1).limit(total).map(Recount::event).toList();

        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"))) {
            Map<String, String> settings = Map.of(
                    "SIGHTLINE_METRICS_DEFINITIONS_FILE",
                    definitions.toString(),
                    "SIGHTLINE_METRICS_EMIT_INTERVAL_MS",
                    "0",
                    "SIGHTLINE_WINDOW_GRACE_MS",
                    "3600000");
            try (KafkaProducer<String, EnrichedEvent> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", env.bootstrapServers(), "acks", "all", "enable.idempotence", true),
                    new StringSerializer(),
                    new AvroSerializer<>(env.topics().registry()))) {

                // given a first instance that has processed part of the input
                StreamsService first =
                        AggregateService.start(new AggregateConfig(env.serviceEnv(dir.resolve("state-1"), settings)));
                send(producer, input.subList(0, total / 2));
                env.readUntil(
                        Topics.METRICS_WINDOWED,
                        MetricWindow.class,
                        Duration.ofSeconds(90),
                        r -> r.value().getSampleCount() > 50);

                // when it stops mid-stream while input keeps coming, and a new instance with empty local state takes
                // over
                Thread more = new Thread(() -> send(producer, input.subList(total / 2, total)));
                more.start();
                first.close();
                more.join();
                try (StreamsService second =
                        AggregateService.start(new AggregateConfig(env.serviceEnv(dir.resolve("state-2"), settings)))) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> second.app().state() == KafkaStreams.State.RUNNING);

                    // then the latest published value of every series window equals the recomputation
                    Map<String, Double> expected = recompute(input);
                    Map<String, Double> latest = new HashMap<>();
                    env.readUntil(Topics.METRICS_WINDOWED, MetricWindow.class, Duration.ofSeconds(120), r -> {
                        latest.put(id(r), r.value().getValue());
                        return latest.equals(expected);
                    });
                    assertThat(latest).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void shouldPublishAWindowUpdateCommittedButNotYetPublishedWhenTheInstanceStopped() throws Exception {
        Path definitions = Files.writeString(dir.resolve("metrics.yaml"), """
                metrics:
                  - {name: event_count, measure: {type: count}, dimensions: [event], windows: [1m]}
                """);
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"))) {
            Path state = dir.resolve("state");
            Map<String, String> settings = Map.of(
                    "SIGHTLINE_METRICS_DEFINITIONS_FILE",
                    definitions.toString(),
                    "SIGHTLINE_WINDOW_GRACE_MS",
                    "3600000");

            // given an instance that publishes open windows only every ten minutes, and has committed one event's count
            Map<String, String> slow = new HashMap<>(settings);
            slow.put("SIGHTLINE_METRICS_EMIT_INTERVAL_MS", "600000");
            try (StreamsService first = AggregateService.start(new AggregateConfig(env.serviceEnv(state, slow)))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.app().state() == KafkaStreams.State.RUNNING);
                env.produce(Topics.EVENTS_ENRICHED, "user-0", event(0));
                awaitCommittedWindowState(env, "event_count{event=Signed+Up}");
            }

            // when it has stopped before publishing it, and a new instance starts on the same state
            Map<String, String> fast = new HashMap<>(settings);
            fast.put("SIGHTLINE_METRICS_EMIT_INTERVAL_MS", "500");
            try (StreamsService second = AggregateService.start(new AggregateConfig(env.serviceEnv(state, fast)))) {

                // then the new instance publishes the window's count, though no event changed it since
                var published = env.readUntil(
                        Topics.METRICS_WINDOWED,
                        MetricWindow.class,
                        Duration.ofSeconds(60),
                        r -> r.key().equals("event_count{event=Signed+Up}"));
                assertThat(published).extracting(r -> r.value().getValue()).containsExactly(1.0);
            }
        }
    }

    /** Waits until a committed write of the window store's changelog holds a window of {@code series}. */
    private static void awaitCommittedWindowState(PipelineEnvironment env, String series) {
        String changelog = "sightline-aggregate-" + AggregateTopology.WINDOW_STORE + "-changelog";
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        env.bootstrapServers(),
                        "group.id",
                        "changelog-reader-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(changelog));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ZERO).until(() -> {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().endsWith("|" + series) && r.value() != null) {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    private static void send(KafkaProducer<String, EnrichedEvent> producer, List<EnrichedEvent> events) {
        for (EnrichedEvent e : events) {
            producer.send(new ProducerRecord<>(Topics.EVENTS_ENRICHED, e.getUserKey(), e));
        }
        producer.flush();
    }
}
