package io.sightline.ingest.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.common.streams.DeadLetters;
import io.sightline.ingest.catalog.CatalogObserver;
import io.sightline.ingest.kafka.EventProducer;
import io.sightline.ingest.plans.PlanCheck;
import io.sightline.ingest.plans.PlanEnforcer;
import io.sightline.ingest.validation.ErrorCode;
import io.sightline.ingest.validation.EventParser;
import io.sightline.ingest.validation.ParsedEvent;
import io.sightline.ingest.validation.ValidationError;
import io.sightline.privacy.PiiHasher;
import io.sightline.privacy.SuppressionList;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.TrackedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway does with the events of one authenticated request, apart from HTTP:
 * parse and validate each, check it against its source's tracking plan, note it in the
 * event catalog, then produce the accepted events and the plan violations and wait for
 * Kafka's acknowledgement, and record every rejected event as a dead letter with why.
 * The tracking routes turn the {@link Outcome} into the answer.
 */
public final class EventIntake {

    /** The stage named in the gateway's dead letters. */
    public static final String STAGE = "ingest-gateway";
    /** Below this a device's clock and the network's delay are indistinguishable: not counted as a correction. */
    private static final long CLOCK_SKEW_COUNTED_MS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(EventIntake.class);

    private final EventParser parser = new EventParser();
    private final int maxEventBytes;
    private final EventProducer producer;
    private final PlanEnforcer plans;
    private final CatalogObserver catalog;
    private final SuppressionList suppressions;
    private final PiiHasher pii;
    private final IntakeMetrics metrics;

    public EventIntake(
            int maxEventBytes,
            EventProducer producer,
            PlanEnforcer plans,
            CatalogObserver catalog,
            SuppressionList suppressions,
            PiiHasher pii,
            IntakeMetrics metrics) {
        this.maxEventBytes = maxEventBytes;
        this.producer = producer;
        this.plans = plans;
        this.catalog = catalog;
        this.suppressions = suppressions;
        this.pii = pii;
        this.metrics = metrics;
    }

    /** Each event of a request in its order, accepted or rejected with why. */
    public record Outcome(List<ParsedEvent> results, int accepted, int rejected) {}

    /**
     * Takes in the event of a single call ({@code /v1/track} and the like).
     *
     * @param bytes the size of the request body, judged against the event size limit
     * @throws EventProducer.NotAcknowledgedException when Kafka did not acknowledge: nothing is stored, the sender retries
     */
    public Outcome single(
            String source, JsonNode item, int bytes, EventType type, Instant receivedAt, String clientIp) {
        ParsedEvent parsed = bytes > maxEventBytes
                ? tooLarge("", item, bytes)
                : parser.parse(item, type, "", source, receivedAt, clientIp, null);
        return takeIn(source, List.of(item), List.of(""), List.of(parsed));
    }

    /**
     * Takes in the events of a batch; the batch's {@code context} merges under each item's
     * own, and its {@code sentAt} stands for items that have none (batching libraries send
     * one for the whole batch).
     *
     * @throws EventProducer.NotAcknowledgedException when Kafka did not acknowledge: nothing accepted is stored
     */
    public Outcome batch(
            String source,
            JsonNode items,
            JsonNode batchContext,
            JsonNode batchSentAt,
            Instant receivedAt,
            String clientIp) {
        List<JsonNode> all = new ArrayList<>(items.size());
        List<String> paths = new ArrayList<>(items.size());
        List<ParsedEvent> parsed = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (batchSentAt != null && item instanceof ObjectNode object && !object.has("sentAt")) {
                object.set("sentAt", batchSentAt);
            }
            String path = "batch[" + i + "].";
            int bytes = item.toString().length();
            all.add(item);
            paths.add(path);
            parsed.add(
                    bytes > maxEventBytes
                            ? tooLarge(path, item, bytes)
                            : parser.parse(item, null, path, source, receivedAt, clientIp, batchContext));
        }
        return takeIn(source, all, paths, parsed);
    }

    /** Records a request body that is not a JSON object as a dead letter: the source is known, so it is ours to keep. */
    public void rejectBody(String source, byte[] body, String why) {
        deadLetter(source, null, ErrorCode.INVALID_JSON, "Body is not a JSON object: " + why, body);
        metrics.events(source, "rejected", ErrorCode.INVALID_JSON.code(), 1);
    }

    /** Why an event was rejected, as one sentence: plan violations name their own paths. */
    public static String describe(ParsedEvent rejected) {
        return rejected.violations().isEmpty()
                ? rejected.error().field() + ": " + rejected.error().message()
                : rejected.error().message();
    }

    private ParsedEvent tooLarge(String path, JsonNode item, int bytes) {
        JsonNode messageId = item.path("messageId");
        return ParsedEvent.rejected(
                new ValidationError(
                        path.isEmpty() ? "(body)" : path + "(event)",
                        ErrorCode.EVENT_TOO_LARGE,
                        "event is " + bytes + " bytes; the limit is " + maxEventBytes),
                messageId.isTextual() ? messageId.asText() : null);
    }

    /** Plan check and catalog for the parsed events, then the dead letters, then the accepted events and violations to Kafka. */
    private Outcome takeIn(String source, List<JsonNode> items, List<String> paths, List<ParsedEvent> parsed) {
        List<ParsedEvent> results = new ArrayList<>(parsed.size());
        List<TrackedEvent> accepted = new ArrayList<>(parsed.size());
        List<QualityViolation> violations = new ArrayList<>();
        int rejected = 0;
        int suppressed = 0;
        for (int i = 0; i < parsed.size(); i++) {
            ParsedEvent result = parsed.get(i);
            JsonNode item = items.get(i);
            if (isSuppressed(result, item)) {
                // Answered as accepted, so no SDK retries it, and written nowhere, dead letters included.
                suppressed++;
                results.add(ParsedEvent.suppressed(result.messageId()));
                continue;
            }
            if (result.isAccepted()) {
                PlanCheck check = plans.check(source, result.event(), item);
                catalog.observe(result.event(), item, check.planned());
                violations.addAll(check.records());
                if (check.blocked()) {
                    result = ParsedEvent.blocked(paths.get(i), result.messageId(), check.violations());
                }
            }
            results.add(result);
            if (result.isAccepted()) {
                accepted.add(result.event());
            } else {
                rejected++;
                deadLetter(
                        source,
                        result.messageId(),
                        result.error().code(),
                        describe(result),
                        // Kept for debugging, with personal data masked as in enriched events.
                        pii.maskEvent(item.deepCopy()).toString().getBytes(StandardCharsets.UTF_8));
                metrics.events(source, "rejected", result.error().code().code(), 1);
            }
        }
        if (suppressed > 0) {
            metrics.events(source, "suppressed", "regulation", suppressed);
        }
        produce(source, accepted, violations);
        return new Outcome(results, accepted.size() + suppressed, rejected);
    }

    /** Whether the event's user or device is suppressed; a rejected event is judged by the ids it sent. */
    private boolean isSuppressed(ParsedEvent result, JsonNode item) {
        if (result.event() != null) {
            return suppressions.isSuppressed(
                    result.event().getUserId(), result.event().getAnonymousId());
        }
        return suppressions.isSuppressed(id(item.path("userId")), id(item.path("anonymousId")));
    }

    private static String id(JsonNode value) {
        return value.isTextual() || value.isNumber() ? value.asText() : null;
    }

    private void produce(String source, List<TrackedEvent> events, List<QualityViolation> violations) {
        if (events.isEmpty() && violations.isEmpty()) {
            return;
        }
        try {
            producer.sendAndAwait(events, violations);
        } catch (EventProducer.NotAcknowledgedException e) {
            log.warn("not acknowledged source={} events={} cause=\"{}\"", source, events.size(), e.getMessage());
            metrics.events(source, "unavailable", ErrorCode.UNAVAILABLE.code(), events.size());
            throw e;
        }
        metrics.events(source, "accepted", "none", events.size());
        for (TrackedEvent event : events) {
            Long skew = event.getClockSkewMs();
            if (skew != null && Math.abs(skew) > CLOCK_SKEW_COUNTED_MS) {
                metrics.clockCorrection(source, skew > 0 ? "ahead" : "behind");
            }
        }
    }

    private void deadLetter(String source, String messageId, ErrorCode code, String text, byte[] payload) {
        // Read from HTTP, not from a topic: no input coordinates.
        DeadLetter letter = DeadLetters.of(STAGE, code.code(), text, source, messageId, payload, null);
        try {
            producer.sendDeadLetterAndAwait(source, letter);
            DeadLetters.count(metrics.registry(), letter);
        } catch (EventProducer.NotAcknowledgedException e) {
            // The sender still learns why the event was rejected; only our record of it is missing.
            log.error("dead letter not recorded source={} reason={} cause=\"{}\"", source, code.code(), e.getMessage());
            metrics.events(source, "dead_letter_failed", code.code(), 1);
        }
    }
}
