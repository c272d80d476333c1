package io.sightline.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.http.Json;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventParserTest {

    private static final Instant RECEIVED = Instant.parse("2024-05-01T12:00:10Z");
    private final EventParser parser = new EventParser();

    @Test
    void shouldCorrectDeviceClockSkewFromSentAt() throws Exception {
        // The device clock is 1 hour fast; the event happened 2 s before it was sent.
        ParsedEvent parsed = parse("""
                {"event":"Signed Up","userId":"u1","originalTimestamp":"2024-05-01T13:00:00Z","sentAt":"2024-05-01T13:00:02Z"}""", EventType.track);

        assertThat(parsed.isAccepted()).isTrue();
        assertThat(parsed.event().getTimestamp()).isEqualTo(Instant.parse("2024-05-01T12:00:08Z"));
        assertThat(parsed.event().getReceivedAt()).isEqualTo(RECEIVED);
    }

    @Test
    void shouldCorrectTheTimestampLibrariesSendWithSentAtAndKeepTheSkew() throws Exception {
        // analytics.js, analytics-node, the mobile libraries: the device's time in timestamp, 10 min slow
        ParsedEvent slow = parse("""
                {"event":"Played","userId":"u1","timestamp":"2024-05-01T11:50:07Z","sentAt":"2024-05-01T11:50:09Z"}""", EventType.track);
        // a server backfilling history sends timestamp alone: taken as sent
        ParsedEvent backfill = parse("""
                {"event":"Played","userId":"u1","timestamp":"2024-04-01T08:00:00Z"}""", EventType.track);

        assertThat(slow.event().getTimestamp()).isEqualTo(Instant.parse("2024-05-01T12:00:08Z"));
        assertThat(slow.event().getOriginalTimestamp()).isEqualTo(Instant.parse("2024-05-01T11:50:07Z"));
        assertThat(slow.event().getClockSkewMs()).isEqualTo(-601_000L);
        assertThat(backfill.event().getTimestamp()).isEqualTo(Instant.parse("2024-04-01T08:00:00Z"));
        assertThat(backfill.event().getClockSkewMs()).isNull();
    }

    @Test
    void shouldNameTheMissingEventField() throws Exception {
        ParsedEvent parsed = parse("{\"userId\":\"u1\",\"messageId\":\"m-9\"}", EventType.track);

        assertThat(parsed.isAccepted()).isFalse();
        assertThat(parsed.error().field()).isEqualTo("event");
        assertThat(parsed.error().code()).isEqualTo(ErrorCode.MISSING_FIELD);
        assertThat(parsed.messageId()).isEqualTo("m-9");
    }

    @Test
    void shouldRequireAUserIdOrAnAnonymousId() throws Exception {
        ParsedEvent parsed = parse("{\"event\":\"Clicked\"}", EventType.track);

        assertThat(parsed.error().field()).isEqualTo("userId");
        assertThat(parsed.error().message()).contains("anonymousId");
    }

    @Test
    void shouldPrefixFieldPathsOfBatchItemsAndTakeTheTypeFromTheItem() throws Exception {
        JsonNode item = Json.MAPPER.readTree("{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":[1]}");

        ParsedEvent parsed = parser.parse(item, null, "batch[3].", "web", RECEIVED, "10.0.0.1", null);

        assertThat(parsed.error().field()).isEqualTo("batch[3].traits");
        assertThat(parsed.error().code()).isEqualTo(ErrorCode.INVALID_TYPE);
    }

    @Test
    void shouldMergeBatchContextAndDefaultTheIpToTheClientAddress() throws Exception {
        JsonNode item = Json.MAPPER.readTree(
                "{\"type\":\"page\",\"anonymousId\":\"a1\",\"name\":\"Home\",\"context\":{\"locale\":\"de-DE\"}}");
        JsonNode batchContext = Json.MAPPER.readTree(
                "{\"library\":{\"name\":\"analytics.js\",\"version\":\"5.0\"},\"locale\":\"en-US\"}");

        TrackedEvent event = parser.parse(item, null, "batch[0].", "web", RECEIVED, "10.0.0.1", batchContext)
                .event();

        assertThat(event.getContext().getLibraryName()).isEqualTo("analytics.js");
        assertThat(event.getContext().getLocale()).isEqualTo("de-DE");
        assertThat(event.getContext().getIp()).isEqualTo("10.0.0.1");
        assertThat(event.getName()).isEqualTo("Home");
        assertThat(event.getMessageId()).hasSize(36);
    }

    @Test
    void shouldRejectAnOverlongMessageIdAndAnUnparseableTimestamp() throws Exception {
        assertThat(parse(
                                "{\"event\":\"x\",\"userId\":\"u\",\"messageId\":\"" + "m".repeat(101) + "\"}",
                                EventType.track)
                        .error()
                        .code())
                .isEqualTo(ErrorCode.INVALID_MESSAGE_ID);
        assertThat(parse("{\"event\":\"x\",\"userId\":\"u\",\"timestamp\":\"yesterday\"}", EventType.track)
                        .error()
                        .field())
                .isEqualTo("timestamp");
    }

    private ParsedEvent parse(String json, EventType type) throws Exception {
        return parser.parse(Json.MAPPER.readTree(json), type, "", "web", RECEIVED, "10.0.0.1", null);
    }
}
