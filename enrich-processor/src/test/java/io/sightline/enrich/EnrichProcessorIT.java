package io.sightline.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.streams.StreamsService;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
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
class EnrichProcessorIT {

    @TempDir
    Path dir;

    @Test
    void shouldDeadLetterAPoisonRecordAndKeepEnriching() {
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
             StreamsService enrich = EnrichProcessor.start(new EnrichConfig(env.serviceEnv(dir.resolve("state"), Map.of())))) {

            env.produceBytes(Topics.EVENTS_RAW, "web:u1", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
            env.produce(Topics.EVENTS_RAW, "web:u1", TrackedEvent.newBuilder()
                    .setMessageId("after-poison").setType(EventType.track).setSource("web").setEvent("Clicked")
                    .setUserId("u1").setReceivedAt(Instant.now()).setTimestamp(Instant.now()).build());

            var letters = env.readUntil(Topics.EVENTS_INVALID, DeadLetter.class, Duration.ofSeconds(60),
                    r -> "enrich-processor".equals(r.value().getComponent()));
            DeadLetter letter = letters.get(0).value();
            assertThat(letter.getReasonCode()).isEqualTo("deserialization_failed");
            assertThat(letter.getReasonText()).contains("magic byte");
            assertThat(letter.getInputTopic()).isEqualTo(Topics.EVENTS_RAW);
            assertThat(StandardCharsets.UTF_8.decode(letter.getPayload()).toString()).isEqualTo("{\"not\":\"avro\"}");

            env.readUntil(Topics.EVENTS_ENRICHED, EnrichedEvent.class, Duration.ofSeconds(60),
                    r -> r.value().getEvent().getMessageId().equals("after-poison"));
            assertThat(enrich.app().state().isRunningOrRebalancing()).isTrue();
        }
    }
}
