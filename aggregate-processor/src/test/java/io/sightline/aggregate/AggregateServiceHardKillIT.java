package io.sightline.aggregate;

import static io.sightline.aggregate.Recount.id;
import static io.sightline.aggregate.Recount.recompute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.serde.AvroSerializer;
import io.sightline.testkit.PacedSender;
import io.sightline.testkit.PipelineEnvironment;
import io.sightline.testkit.ServiceProcess;
import io.sightline.testkit.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across a hard failure: the aggregate processor runs in a child JVM and
 * is SIGKILLed while it works on live input (no shutdown hook, no last commit, a
 * transaction left open); a new process on the same state directory takes over. The
 * latest published value of every series window must then equal the one recomputed
 * from the input: a count that took an event twice, or lost one, would differ.
 */
class AggregateServiceHardKillIT {

    private static final int EVENTS = 3000;
    private static final int BATCH = 20;

    @TempDir
    Path dir;

    @Test
    void shouldPublishCountsEqualToTheInputWhenTheProcessIsKilledMidStream() throws Exception {
        Path definitions = Files.writeString(dir.resolve("metrics.yaml"), """
                metrics:
                  - {name: event_count, measure: {type: count}, dimensions: [event], windows: [1m]}
                  - {name: active_users, measure: {type: unique_users}, windows: [1m]}
                """);
        List<EnrichedEvent> input =
                IntStream.range(0, EVENTS).mapToObj(Recount::event).toList();
        Map<String, Double> expected = recompute(input);

        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                KafkaProducer<String, EnrichedEvent> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", env.bootstrapServers(), "acks", "all", "enable.idempotence", true),
                        new StringSerializer(),
                        new AvroSerializer<>(env.topics().registry()));
                TopicReader<MetricWindow> output = env.follow(Topics.METRICS_WINDOWED, MetricWindow.class)) {
            // The broker's shortest session timeout: the new process waits that long for the killed one to leave the
            // group.
            Map<String, String> settings = env.serviceEnv(
                    dir.resolve("state"),
                    Map.of(
                            "SIGHTLINE_METRICS_DEFINITIONS_FILE",
                            definitions.toString(),
                            "SIGHTLINE_WINDOW_GRACE_MS",
                            "3600000",
                            "SIGHTLINE_KAFKA_CONSUMER_SESSION_TIMEOUT_MS",
                            "6000"));
            Map<String, Double> latest = new HashMap<>();

            // given a processor in its own JVM aggregating events as they come in
            try (ServiceProcess first = ServiceProcess.start(AggregateService.class, settings, log("first"), "384m")) {
                first.awaitLog("-> RUNNING", Duration.ofSeconds(90));
                CompletableFuture<Void> sending = PacedSender.send(
                        producer, Topics.EVENTS_ENRICHED, input, EnrichedEvent::getUserKey, BATCH, 40); // 500 events/s
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ZERO)
                        .until(() -> counted(output, latest) >= EVENTS / 10);

                // when it is killed mid-stream and a new process starts on the same state directory
                first.kill();
                Map<String, Double> beforeKill = new HashMap<>();
                env.readAll(Topics.METRICS_WINDOWED, MetricWindow.class, Duration.ofSeconds(30))
                        .forEach(r -> beforeKill.put(id(r), r.value().getValue()));
                assertThat(eventCount(beforeKill))
                        .as("events counted when the first process was killed")
                        .isLessThan(EVENTS);
                try (ServiceProcess second =
                        ServiceProcess.start(AggregateService.class, settings, log("second"), "384m")) {
                    sending.get(60, TimeUnit.SECONDS);
                    // done when the counts match, or as soon as more events were counted than sent
                    await().atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ZERO)
                            .until(() -> counted(output, latest) > EVENTS || latest.equals(expected));
                    second.stop();
                }
            }

            // then, with every update it published, the latest value of each series window equals the input's
            Map<String, Double> published = new TreeMap<>();
            env.readAll(Topics.METRICS_WINDOWED, MetricWindow.class, Duration.ofSeconds(30))
                    .forEach(r -> published.put(id(r), r.value().getValue()));
            Map<String, String> wrong = new TreeMap<>();
            expected.forEach((window, value) -> {
                if (!value.equals(published.get(window))) {
                    wrong.put(window, "expected " + value + ", published " + published.get(window));
                }
            });
            assertThat(wrong)
                    .as("series windows whose latest value differs from the input")
                    .isEmpty();
            assertThat(published.keySet()).isEqualTo(expected.keySet());
        }
    }

    /** Under target/, so a failed run's logs outlive the test's temporary directory. */
    private Path log(String instance) {
        return Path.of("target", getClass().getSimpleName() + "-" + instance + ".log");
    }

    /** Reads what has arrived into {@code latest} and answers the events counted so far. */
    private static long counted(TopicReader<MetricWindow> output, Map<String, Double> latest) {
        output.poll().forEach(r -> latest.put(id(r), r.value().getValue()));
        return eventCount(latest);
    }

    /** Events counted in event_count: the sum of its latest value per series window. */
    private static long eventCount(Map<String, Double> latest) {
        return Math.round(latest.entrySet().stream()
                .filter(e -> e.getKey().startsWith("event_count{"))
                .mapToDouble(Map.Entry::getValue)
                .sum());
    }
}
