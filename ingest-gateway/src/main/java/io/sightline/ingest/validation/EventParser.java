package io.sightline.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.schemas.avro.EventContext;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/**
 * Turns one Segment-shaped JSON event into a {@link TrackedEvent}, or says precisely
 * why it cannot: which field, which rule. Event time uses Segment's clock-skew
 * correction, {@code timestamp = receivedAt - (sentAt - originalTimestamp)}.
 */
public final class EventParser {

    static final int MAX_MESSAGE_ID_LENGTH = 100;

    /**
     * @param item         the event object
     * @param endpointType the type fixed by the endpoint ({@code /v1/track}), or null for batch items
     * @param path         prefix for field paths in errors: "" or {@code "batch[3]."}
     * @param batchContext a batch-level context merged under the item's own, or null
     */
    public ParsedEvent parse(
            JsonNode item,
            EventType endpointType,
            String path,
            String source,
            Instant receivedAt,
            String clientIp,
            JsonNode batchContext) {
        String messageId =
                item.path("messageId").isTextual() ? item.path("messageId").asText() : null;
        try {
            return ParsedEvent.accepted(build(item, endpointType, path, source, receivedAt, clientIp, batchContext));
        } catch (Rejected r) {
            return ParsedEvent.rejected(r.error, messageId);
        }
    }

    private TrackedEvent build(
            JsonNode item,
            EventType endpointType,
            String path,
            String source,
            Instant receivedAt,
            String clientIp,
            JsonNode batchContext) {
        if (!item.isObject()) {
            throw reject(
                    path.isEmpty() ? "(body)" : path.substring(0, path.length() - 1),
                    ErrorCode.NOT_AN_OBJECT,
                    "an event must be a JSON object");
        }
        EventType type = endpointType != null ? endpointType : type(item, path);

        String messageId = optionalString(item, "messageId", path);
        if (messageId == null) {
            messageId = UUID.randomUUID().toString();
        } else if (messageId.isEmpty() || messageId.length() > MAX_MESSAGE_ID_LENGTH) {
            throw reject(
                    path + "messageId",
                    ErrorCode.INVALID_MESSAGE_ID,
                    "messageId must have 1 to " + MAX_MESSAGE_ID_LENGTH + " characters");
        }
        String userId = optionalId(item, "userId", path);
        String anonymousId = optionalId(item, "anonymousId", path);
        if (userId == null && anonymousId == null) {
            throw reject(path + "userId", ErrorCode.MISSING_FIELD, "userId or anonymousId is required");
        }
        TrackedEvent.Builder event = TrackedEvent.newBuilder()
                .setMessageId(messageId)
                .setType(type)
                .setSource(source)
                .setUserId(userId)
                .setAnonymousId(anonymousId)
                .setReceivedAt(receivedAt);

        switch (type) {
            case track -> event.setEvent(requiredString(item, "event", path));
            case page, screen -> event.setName(optionalString(item, "name", path));
            case group -> event.setGroupId(requiredId(item, "groupId", path));
            case alias -> {
                event.setPreviousId(requiredId(item, "previousId", path));
                if (userId == null) {
                    throw reject(path + "userId", ErrorCode.MISSING_FIELD, "alias needs the new userId");
                }
            }
            case identify -> {}
            default -> throw new IllegalStateException("unhandled type " + type);
        }
        event.setProperties(optionalObject(item, "properties", path));
        event.setTraits(optionalObject(item, "traits", path));

        // The device's own time of the event: originalTimestamp, or the timestamp libraries send with sentAt.
        Instant timestamp = optionalTime(item, "timestamp", path);
        Instant originalTimestamp = optionalTime(item, "originalTimestamp", path);
        Instant deviceTime = originalTimestamp != null ? originalTimestamp : timestamp;
        Instant sentAt = optionalTime(item, "sentAt", path);
        event.setOriginalTimestamp(deviceTime).setSentAt(sentAt);
        event.setTimestamp(eventTime(receivedAt, deviceTime, sentAt));
        if (deviceTime != null && sentAt != null) {
            event.setClockSkewMs(sentAt.toEpochMilli() - receivedAt.toEpochMilli());
        }
        event.setContext(context(item, path, clientIp, batchContext));
        return event.build();
    }

    /**
     * Segment's rule: trust the device's clock only as an offset from when it sent the
     * event, {@code receivedAt - (sentAt - deviceTime)}; without {@code sentAt} the
     * device's time as given (a server library backfilling history), else the receive time.
     */
    static Instant eventTime(Instant receivedAt, Instant deviceTime, Instant sentAt) {
        if (deviceTime != null && sentAt != null) {
            return receivedAt.minusMillis(sentAt.toEpochMilli() - deviceTime.toEpochMilli());
        }
        return deviceTime != null ? deviceTime : receivedAt;
    }

    private static EventContext context(JsonNode item, String path, String clientIp, JsonNode batchContext) {
        JsonNode own = item.path("context");
        if (!own.isMissingNode() && !own.isNull() && !own.isObject()) {
            throw reject(path + "context", ErrorCode.INVALID_TYPE, "context must be a JSON object");
        }
        ObjectNode merged = batchContext != null && batchContext.isObject()
                ? ((ObjectNode) batchContext).deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (own.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = own.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                merged.set(f.getKey(), f.getValue());
            }
        }
        String ip = merged.path("ip").isTextual() ? merged.path("ip").asText() : clientIp;
        return EventContext.newBuilder()
                .setIp(ip)
                .setUserAgent(text(merged, "userAgent"))
                .setLocale(text(merged, "locale"))
                .setTimezone(text(merged, "timezone"))
                .setLibraryName(text(merged.path("library"), "name"))
                .setLibraryVersion(text(merged.path("library"), "version"))
                .setPageUrl(text(merged.path("page"), "url"))
                .setPagePath(text(merged.path("page"), "path"))
                .setPageReferrer(text(merged.path("page"), "referrer"))
                .setJson(merged.isEmpty() ? null : merged.toString())
                .build();
    }

    private static EventType type(JsonNode item, String path) {
        JsonNode node = item.path("type");
        if (!node.isTextual()) {
            throw reject(
                    path + "type",
                    ErrorCode.MISSING_FIELD,
                    "type is required: one of track, identify, page, screen, group, alias");
        }
        try {
            return EventType.valueOf(node.asText());
        } catch (IllegalArgumentException e) {
            throw reject(
                    path + "type",
                    ErrorCode.INVALID_VALUE,
                    "type '" + node.asText() + "' is not one of track, identify, page, screen, group, alias");
        }
    }

    private static String requiredString(JsonNode item, String field, String path) {
        String value = optionalString(item, field, path);
        if (value == null || value.isBlank()) {
            throw reject(path + field, ErrorCode.MISSING_FIELD, field + " is required and must be a non-empty string");
        }
        return value;
    }

    private static String requiredId(JsonNode item, String field, String path) {
        String value = optionalId(item, field, path);
        if (value == null) {
            throw reject(path + field, ErrorCode.MISSING_FIELD, field + " is required");
        }
        return value;
    }

    private static String optionalString(JsonNode item, String field, String path) {
        JsonNode node = item.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw reject(
                    path + field,
                    ErrorCode.INVALID_TYPE,
                    field + " must be a string, got "
                            + node.getNodeType().name().toLowerCase());
        }
        return node.asText();
    }

    /** Ids may be strings or numbers (some SDKs send numeric user ids); numbers keep their text. */
    private static String optionalId(JsonNode item, String field, String path) {
        JsonNode node = item.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        if (!node.isTextual()) {
            throw reject(path + field, ErrorCode.INVALID_TYPE, field + " must be a string or an integer");
        }
        String value = node.asText();
        return value.isBlank() ? null : value;
    }

    private static String optionalObject(JsonNode item, String field, String path) {
        JsonNode node = item.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw reject(path + field, ErrorCode.INVALID_TYPE, field + " must be a JSON object");
        }
        return node.toString();
    }

    private static Instant optionalTime(JsonNode item, String field, String path) {
        String value = optionalString(item, field, path);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw reject(
                    path + field,
                    ErrorCode.INVALID_TIMESTAMP,
                    field + " must be an ISO-8601 date-time with offset, e.g. 2024-05-01T12:00:00.000Z; got '" + value
                            + "'");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    private static Rejected reject(String field, ErrorCode code, String message) {
        return new Rejected(new ValidationError(field, code, message));
    }

    /** Control flow for the first problem found; no stack trace needed. */
    private static final class Rejected extends RuntimeException {
        private final ValidationError error;

        Rejected(ValidationError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }
}
