package io.sightline.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.serde.AvroSerializer;
import io.sightline.testkit.PacedSender;
import io.sightline.testkit.PipelineEnvironment;
import io.sightline.testkit.ServiceProcess;
import io.sightline.testkit.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across a hard failure: the enrich processor runs in a child JVM and is
 * SIGKILLed while it works on live input (no shutdown hook, no last commit, a
 * transaction left open); a new process on the same state directory takes over. Every
 * input event must then be in {@code events.enriched.v1} exactly once, as a
 * read_committed consumer sees it.
 */
class EnrichServiceHardKillIT {

    private static final int EVENTS = 3000;
    private static final int BATCH = 20;

    @TempDir
    Path dir;

    @Test
    void shouldEnrichEveryEventExactlyOnceWhenTheProcessIsKilledMidStream() throws Exception {
        Instant now = Instant.now();
        List<TrackedEvent> input =
                IntStream.range(0, EVENTS).mapToObj(i -> event(i, now)).toList();

        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                KafkaProducer<String, TrackedEvent> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", env.bootstrapServers(), "acks", "all", "enable.idempotence", true),
                        new StringSerializer(),
                        new AvroSerializer<>(env.topics().registry()));
                TopicReader<EnrichedEvent> output = env.follow(Topics.EVENTS_ENRICHED, EnrichedEvent.class)) {
            // The broker's shortest session timeout: the new process waits that long for the killed one to leave the
            // group.
            Map<String, String> settings =
                    env.serviceEnv(dir.resolve("state"), Map.of("SIGHTLINE_KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"));
            Map<String, Integer> seen = new HashMap<>();

            // given a processor in its own JVM enriching events as they come in
            try (ServiceProcess first = ServiceProcess.start(EnrichService.class, settings, log("first"), "384m")) {
                first.awaitLog("-> RUNNING", Duration.ofSeconds(90));
                CompletableFuture<Void> sending = PacedSender.send(
                        producer,
                        Topics.EVENTS_RAW,
                        input,
                        e -> e.getSource() + ":" + e.getUserId(),
                        BATCH,
                        40); // 500 events/s
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ZERO)
                        .until(() -> read(output, seen) >= EVENTS / 10);

                // when it is killed mid-stream and a new process starts on the same state directory
                first.kill();
                int beforeKill = env.readAll(Topics.EVENTS_ENRICHED, EnrichedEvent.class, Duration.ofSeconds(30))
                        .size();
                assertThat(beforeKill)
                        .as("events enriched when the first process was killed")
                        .isLessThan(EVENTS);
                try (ServiceProcess second =
                        ServiceProcess.start(EnrichService.class, settings, log("second"), "384m")) {
                    sending.get(60, TimeUnit.SECONDS);
                    await().atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ZERO)
                            .until(() -> {
                                read(output, seen);
                                return seen.size() == EVENTS;
                            });
                    second.stop();
                }
            }

            // then every event is in the output exactly once
            List<ConsumerRecord<String, EnrichedEvent>> enriched =
                    env.readAll(Topics.EVENTS_ENRICHED, EnrichedEvent.class, Duration.ofSeconds(30));
            Map<String, Long> copies = enriched.stream()
                    .collect(Collectors.groupingBy(r -> r.value().getEvent().getMessageId(), Collectors.counting()));
            Set<String> missing =
                    new HashSet<>(input.stream().map(TrackedEvent::getMessageId).toList());
            missing.removeAll(copies.keySet());
            assertThat(missing).as("events never enriched").isEmpty();
            assertThat(copies)
                    .as("events enriched more than once")
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
            assertThat(enriched).hasSize(EVENTS);
        }
    }

    /** Reads what has arrived into {@code seen} (copies per messageId) and answers the records read in all. */
    private static int read(TopicReader<EnrichedEvent> output, Map<String, Integer> seen) {
        output.poll().forEach(r -> seen.merge(r.value().getEvent().getMessageId(), 1, Integer::sum));
        return seen.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Under target/, so a failed run's logs outlive the test's temporary directory. */
    private Path log(String instance) {
        return Path.of("target", getClass().getSimpleName() + "-" + instance + ".log");
    }

    private static TrackedEvent event(int i, Instant now) {
        return TrackedEvent.newBuilder()
                .setMessageId("m-" + i)
                .setType(EventType.track)
                .setSource("web")
                .setEvent(i % 2 == 0 ? "Clicked" : "Viewed")
                .setUserId("user-" + (i % 37))
                .setReceivedAt(now)
                .setTimestamp(now.plusMillis(i))
                .build();
    }
}
