package io.sightline.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.service.StreamsService;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enrich processor on a real broker, exactly-once: a poison record becomes a dead letter and the stream goes on. */
class EnrichServiceIT {

    @TempDir
    Path dir;

    @Test
    void shouldDeadLetterAPoisonRecordAndKeepEnriching() {
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                StreamsService enrich =
                        EnrichService.start(new EnrichConfig(env.serviceEnv(dir.resolve("state"), Map.of())))) {

            env.produceBytes(Topics.EVENTS_RAW, "web:u1", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
            env.produce(
                    Topics.EVENTS_RAW,
                    "web:u1",
                    TrackedEvent.newBuilder()
                            .setMessageId("after-poison")
                            .setType(EventType.track)
                            .setSource("web")
                            .setEvent("Clicked")
                            .setUserId("u1")
                            .setReceivedAt(Instant.now())
                            .setTimestamp(Instant.now())
                            .build());

            var letters = env.readUntil(
                    Topics.EVENTS_INVALID,
                    DeadLetter.class,
                    Duration.ofSeconds(60),
                    r -> "enrich-processor".equals(r.value().getComponent()));
            DeadLetter letter = letters.get(0).value();
            assertThat(letter.getReasonCode()).isEqualTo("deserialization_failed");
            assertThat(letter.getReasonText()).contains("magic byte");
            assertThat(letter.getInputTopic()).isEqualTo(Topics.EVENTS_RAW);
            assertThat(StandardCharsets.UTF_8.decode(letter.getPayload()).toString())
                    .isEqualTo("{\"not\":\"avro\"}");

            env.readUntil(
                    Topics.EVENTS_ENRICHED,
                    EnrichedEvent.class,
                    Duration.ofSeconds(60),
                    r -> r.value().getEvent().getMessageId().equals("after-poison"));
            assertThat(enrich.app().state().isRunningOrRebalancing()).isTrue();
        }
    }

    @Test
    void shouldClampAnEventFromTheFutureAndDeadLetterATooOldOneAndDropAndCountADuplicateOnARealBroker() {
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                StreamsService enrich =
                        EnrichService.start(new EnrichConfig(env.serviceEnv(dir.resolve("state"), Map.of())))) {
            Instant now = Instant.now();
            TrackedEvent future = TrackedEvent.newBuilder()
                    .setMessageId("from-the-future")
                    .setType(EventType.track)
                    .setSource("web")
                    .setEvent("Clicked")
                    .setUserId("u1")
                    .setReceivedAt(now)
                    .setTimestamp(now.plus(Duration.ofDays(2)))
                    .build();
            TrackedEvent old = TrackedEvent.newBuilder(future)
                    .setMessageId("too-old")
                    .setTimestamp(now.minus(Duration.ofDays(8)))
                    .build();
            TrackedEvent once = TrackedEvent.newBuilder(future)
                    .setMessageId("once")
                    .setTimestamp(now)
                    .build();
            TrackedEvent last = TrackedEvent.newBuilder(future)
                    .setMessageId("last")
                    .setTimestamp(now)
                    .build();

            env.produce(Topics.EVENTS_RAW, "web:u1", future);
            env.produce(Topics.EVENTS_RAW, "web:u1", old);
            env.produce(Topics.EVENTS_RAW, "web:u1", once);
            env.produce(Topics.EVENTS_RAW, "web:u1", once);
            env.produce(Topics.EVENTS_RAW, "web:u1", last);

            var letters = env.readUntil(
                    Topics.EVENTS_INVALID,
                    DeadLetter.class,
                    Duration.ofSeconds(60),
                    r -> "too-old".equals(r.value().getMessageId()));
            DeadLetter letter = letters.get(letters.size() - 1).value();
            assertThat(letter.getReasonCode()).isEqualTo("event_time_too_old");
            assertThat(letter.getComponent()).isEqualTo("enrich-processor");
            assertThat(letter.getInputTopic()).isEqualTo(Topics.EVENTS_RAW);
            assertThat(letter.getInputOffset()).isNotNull();

            var out = env.readUntil(
                    Topics.EVENTS_ENRICHED,
                    EnrichedEvent.class,
                    Duration.ofSeconds(60),
                    r -> r.value().getEvent().getMessageId().equals("last"));
            assertThat(out)
                    .extracting(r -> r.value().getEvent().getMessageId())
                    .containsExactly("from-the-future", "once", "last");
            // two days ahead of its receive time: kept at its receive time, marked
            assertThat(out.get(0).value().getEvent().getTimestamp())
                    .isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            assertThat(out.get(0).value().getEvent().getTimeCorrection()).isEqualTo("future_clamped");

            var duplicates = env.readUntil(
                    Topics.METRICS_WINDOWED,
                    MetricWindow.class,
                    Duration.ofSeconds(60),
                    r -> r.key().equals("duplicate_events{source=web}"));
            assertThat(duplicates)
                    .filteredOn(r -> r.key().equals("duplicate_events{source=web}"))
                    .extracting(r -> r.value().getValue())
                    .containsExactly(1.0);
        }
    }
}
