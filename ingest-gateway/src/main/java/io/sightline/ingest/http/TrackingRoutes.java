package io.sightline.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.common.streams.DeadLetters;
import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.catalog.CatalogObserver;
import io.sightline.ingest.kafka.EventProducer;
import io.sightline.ingest.plans.PlanCheck;
import io.sightline.ingest.plans.PlanEnforcer;
import io.sightline.ingest.ratelimit.RateLimiter;
import io.sightline.ingest.validation.EventParser;
import io.sightline.ingest.validation.ParsedEvent;
import io.sightline.ingest.validation.ValidationError;
import io.sightline.plans.Violation;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.TrackedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Segment-compatible tracking API: {@code POST /v1/track|identify|page|screen|group|alias}
 * and {@code POST /v1/batch}, also under the one-letter paths Segment's libraries use
 * ({@code /v1/t}, {@code /v1/p}, {@code /v1/i}, {@code /v1/s}, {@code /v1/g}, {@code /v1/a},
 * {@code /v1/b}) and batch's older name {@code /v1/import}. Every accepted event is acknowledged by Kafka before the
 * answer; every rejected one is answered with why and recorded as a dead letter.
 */
public final class TrackingRoutes {

    private static final Logger log = LoggerFactory.getLogger(TrackingRoutes.class);
    private static final String COMPONENT = "ingest-gateway";
    private static final String SUCCESS_BODY = "{\"success\":true}";
    /** Below this a device's clock and the network's delay are indistinguishable: not counted as a correction. */
    private static final long CLOCK_SKEW_COUNTED_MS = 1_000;

    private final GatewayConfig config;
    private final WriteKeyAuth auth;
    private final EventParser parser = new EventParser();
    private final EventProducer producer;
    private final MeterRegistry meters;
    private final RateLimiter rateLimiter;
    private final PlanEnforcer plans;
    private final CatalogObserver catalog;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.ConcurrentMap<String, Timer> requestTimers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentMap<String, Counter> clockCorrections = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean draining;

    public TrackingRoutes(GatewayConfig config, EventProducer producer, PlanEnforcer plans, CatalogObserver catalog, MeterRegistry meters) {
        this.config = config;
        this.plans = plans;
        this.catalog = catalog;
        this.auth = new WriteKeyAuth(config.sourcesByWriteKey());
        this.producer = producer;
        this.meters = meters;
        this.rateLimiter = new RateLimiter(config.rateLimitEventsPerSecond(), config.rateLimitBurst());
    }

    public void addTo(JavalinConfig javalin) {
        javalin.http.maxRequestSize = config.maxRequestBytes();
        // Browser SDKs must be able to read why they should wait.
        HttpService.cors(javalin, config.corsAllowedOrigins(), List.of("Retry-After"));
        for (EventType type : EventType.values()) {
            // Segment's browser and mobile libraries name the call by its first letter (/v1/t, /v1/p, ...).
            for (String path : List.of("/v1/" + type.name(), "/v1/" + type.name().charAt(0))) {
                javalin.routes.post(path, ctx -> handle(ctx, type.name(), () -> single(ctx, type)));
            }
        }
        // /v1/import is Segment's older name of batch, still what its Java library posts to.
        for (String path : List.of("/v1/batch", "/v1/b", "/v1/import")) {
            javalin.routes.post(path, ctx -> handle(ctx, "batch", () -> batch(ctx)));
        }
    }

    /**
     * Starts draining for a graceful shutdown: answers still go out, with {@code Connection: close},
     * and waits up to {@code timeout} for requests being served to finish.
     *
     * @return true when none is left
     */
    public boolean drain(Duration timeout) {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return inFlight.get() == 0;
    }

    /** Counts the request in flight and times it by endpoint and answered status. */
    private void handle(Context ctx, String endpoint, Runnable handler) {
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        int status = 500;
        try {
            if (draining) {
                ctx.header("Connection", "close");
            }
            handler.run();
            status = ctx.statusCode();
        } catch (ApiException e) {
            status = e.status();
            throw e;
        } finally {
            inFlight.decrementAndGet();
            requestTimer(endpoint, status).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** The request timer of an endpoint and status, looked up once: building and registering one per request showed in profiles. */
    private Timer requestTimer(String endpoint, int status) {
        return requestTimers.computeIfAbsent(endpoint + ' ' + status, k -> Timer.builder("sightline.ingest.requests")
                .description("Tracking API requests by endpoint and answered status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(meters));
    }

    /** The answer to every fully accepted request, written without a JSON serializer. */
    private static void success(Context ctx) {
        ctx.status(200).contentType("application/json").result(SUCCESS_BODY);
    }

    private void single(Context ctx, EventType type) {
        Instant receivedAt = Instant.now();
        Authenticated request = authenticated(ctx);
        String source = request.source();
        byte[] body = request.body();
        JsonNode item = request.json();
        limitRate(source, 1);
        if (body.length > config.maxEventBytes()) {
            rejectAll(source, List.of(ParsedEvent.rejected(new ValidationError("(body)", "event_too_large",
                    "event is " + body.length + " bytes; the limit is " + config.maxEventBytes()),
                    item.path("messageId").isTextual() ? item.path("messageId").asText() : null)), List.of(item));
            throw new ApiException(413, "event_too_large", "Event is larger than " + config.maxEventBytes() + " bytes",
                    List.of(Map.of("limit", config.maxEventBytes())), Map.of());
        }
        ParsedEvent parsed = parser.parse(item, type, "", source, receivedAt, clientIp(ctx), null);
        List<QualityViolation> violations = List.of();
        if (parsed.isAccepted()) {
            PlanCheck check = plans.check(source, parsed.event(), item);
            catalog.observe(parsed.event(), item, check.planned());
            violations = check.records();
            if (check.blocked()) {
                parsed = ParsedEvent.blocked("", parsed.messageId(), check.violations());
                accept(source, List.of(), violations);
            }
        }
        if (!parsed.isAccepted()) {
            rejectAll(source, List.of(parsed), List.of(item));
            throw new ApiException(400, parsed.error().code(), "Event rejected: " + describe(parsed),
                    List.of(detail(null, parsed)), Map.of());
        }
        accept(source, List.of(parsed.event()), violations);
        success(ctx);
    }

    private void batch(Context ctx) {
        Instant receivedAt = Instant.now();
        Authenticated request = authenticated(ctx);
        String source = request.source();
        JsonNode body = request.json();
        JsonNode items = body.path("batch");
        if (!items.isArray()) {
            throw ApiException.badRequest("missing_field", "batch is required and must be an array of events");
        }
        if (items.size() > config.maxBatchItems()) {
            throw new ApiException(413, "batch_too_large", "Batch has " + items.size() + " events; the limit is " + config.maxBatchItems(),
                    List.of(Map.of("limit", config.maxBatchItems())), Map.of());
        }
        limitRate(source, items.size());
        JsonNode batchContext = body.path("context").isObject() ? body.path("context") : null;
        // Batching libraries (Segment's browser batching, mobile) send one sentAt for the whole batch.
        JsonNode batchSentAt = body.path("sentAt").isTextual() ? body.path("sentAt") : null;
        List<ParsedEvent> results = new ArrayList<>(items.size());
        List<TrackedEvent> accepted = new ArrayList<>();
        List<ParsedEvent> rejected = new ArrayList<>();
        List<JsonNode> rejectedItems = new ArrayList<>();
        List<QualityViolation> violations = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (batchSentAt != null && item instanceof ObjectNode object && !object.has("sentAt")) {
                object.set("sentAt", batchSentAt);
            }
            String path = "batch[" + i + "].";
            ParsedEvent parsed = item.toString().length() > config.maxEventBytes()
                    ? ParsedEvent.rejected(new ValidationError(path + "(event)", "event_too_large",
                            "event is larger than " + config.maxEventBytes() + " bytes"), item.path("messageId").asText(null))
                    : parser.parse(item, null, path, source, receivedAt, clientIp(ctx), batchContext);
            if (parsed.isAccepted()) {
                PlanCheck check = plans.check(source, parsed.event(), item);
                catalog.observe(parsed.event(), item, check.planned());
                violations.addAll(check.records());
                if (check.blocked()) {
                    parsed = ParsedEvent.blocked(path, parsed.messageId(), check.violations());
                }
            }
            results.add(parsed);
            if (parsed.isAccepted()) {
                accepted.add(parsed.event());
            } else {
                rejected.add(parsed);
                rejectedItems.add(item);
            }
        }
        rejectAll(source, rejected, rejectedItems);
        accept(source, accepted, violations);
        if (rejected.isEmpty()) {
            success(ctx);
            return;
        }
        List<Map<String, Object>> perItem = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            perItem.add(detail(i, results.get(i)));
        }
        if (accepted.isEmpty()) {
            throw new ApiException(400, "all_events_rejected", "All " + results.size() + " events in the batch were rejected", perItem, Map.of());
        }
        HttpService.json(ctx, 207, Map.of("success", false, "accepted", accepted.size(), "rejected", rejected.size(), "results", perItem));
    }

    private static Map<String, Object> detail(Integer index, ParsedEvent parsed) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (index != null) {
            d.put("index", index);
        }
        d.put("messageId", parsed.messageId());
        d.put("status", parsed.isAccepted() ? "accepted" : "rejected");
        if (!parsed.isAccepted()) {
            d.put("field", parsed.error().field());
            d.put("code", parsed.error().code());
            d.put("message", parsed.error().message());
        }
        if (!parsed.violations().isEmpty()) {
            List<Map<String, Object>> violations = new ArrayList<>();
            for (Violation v : parsed.violations()) {
                violations.add(Map.of("type", v.type().code(), "path", v.path(), "expected", v.expected(), "actual", v.actual(),
                        "message", v.message()));
            }
            d.put("violations", violations);
        }
        return d;
    }

    /** A request's source, its body, and the body as a JSON object. */
    private record Authenticated(String source, byte[] body, JsonNode json) {
    }

    /**
     * Reads the body once and finds the source: from the write key in the headers, or
     * else from the body's {@code writeKey} field, which some libraries send alone. With
     * a header key, a body that is not JSON is rejected and dead-lettered; without one it
     * is answered 401 and never recorded: unauthenticated input must not reach the
     * dead-letter topic.
     */
    private Authenticated authenticated(Context ctx) {
        String headerSource = auth.sourceOfHeaderKey(ctx);
        byte[] body = body(ctx);
        if (headerSource != null) {
            return new Authenticated(headerSource, body, parseJson(body, headerSource));
        }
        JsonNode json = null;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (java.io.IOException unreadable) {
            // no key to find: answered as a missing key
        }
        JsonNode key = json == null ? null : json.get("writeKey");
        // a key found means the body is a JSON object
        return new Authenticated(auth.sourceOfKey(key != null && key.isTextual() ? key.asText() : null), body, json);
    }

    private byte[] body(Context ctx) {
        RequestBody.Read read = RequestBody.read(ctx.bodyInputStream(), ctx.header("Content-Encoding"), ctx.req().getContentLengthLong(),
                config.maxRequestBytes());
        String encoding = read.gzipped() ? "gzip" : "identity";
        DistributionSummary.builder("sightline.ingest.request.bytes").description("Request body bytes, as sent and after decompression")
                .baseUnit("bytes").tag("encoding", encoding).tag("stage", "wire").register(meters).record(read.wireBytes());
        DistributionSummary.builder("sightline.ingest.request.bytes").description("Request body bytes, as sent and after decompression")
                .baseUnit("bytes").tag("encoding", encoding).tag("stage", "decoded").register(meters).record(read.bytes().length);
        return read.bytes();
    }

    private String clientIp(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        if (config.trustedProxies().isEmpty()) {
            return peer;
        }
        List<String> lines = Collections.list(ctx.req().getHeaders("X-Forwarded-For"));
        return config.trustedProxies().clientAddress(peer, lines.isEmpty() ? null : String.join(",", lines));
    }

    private void limitRate(String source, int events) {
        long retryAfter = rateLimiter.tryAcquire(source, events);
        if (retryAfter > 0) {
            count(source, "rate_limited", "rate_limited", events);
            throw new ApiException(429, "rate_limited", "Source " + source + " sends more than " + config.rateLimitEventsPerSecond()
                    + " events per second; retry after " + retryAfter + " s", List.of(), Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    private JsonNode parseJson(byte[] body, String source) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new JsonProcessingException("the body must be a JSON object") { };
            }
            return node;
        } catch (java.io.IOException e) {
            String where = e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                    ? " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() : "";
            String reason = (e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage()) + where;
            deadLetter(source, null, "invalid_json", "Body is not a JSON object: " + reason, body);
            count(source, "rejected", "invalid_json", 1);
            throw ApiException.badRequest("invalid_json", "Body is not valid JSON: " + reason);
        }
    }

    private void accept(String source, List<TrackedEvent> events, List<QualityViolation> violations) {
        if (events.isEmpty() && violations.isEmpty()) {
            return;
        }
        try {
            producer.sendAndAwait(events, violations);
        } catch (EventProducer.NotAcknowledgedException e) {
            log.warn("answered 503 source={} events={} cause=\"{}\"", source, events.size(), e.getMessage());
            count(source, "unavailable", "kafka_unavailable", events.size());
            throw ApiException.unavailable("Events not stored, please retry later: " + e.getMessage(), config.retryAfterSeconds());
        }
        count(source, "accepted", "none", events.size());
        countClockCorrections(source, events);
    }

    /** Events whose time was corrected for a device clock off by more than a second, by source and direction. */
    private void countClockCorrections(String source, List<TrackedEvent> events) {
        for (TrackedEvent event : events) {
            Long skew = event.getClockSkewMs();
            if (skew != null && Math.abs(skew) > CLOCK_SKEW_COUNTED_MS) {
                String direction = skew > 0 ? "ahead" : "behind";
                clockCorrections.computeIfAbsent(source + ' ' + direction, k -> Counter.builder("sightline.ingest.clock.corrections")
                        .description("Events whose time the gateway corrected for a device clock more than a second off (sentAt vs receivedAt)")
                        .tag("source", source).tag("direction", direction).register(meters)).increment();
            }
        }
    }

    private void rejectAll(String source, List<ParsedEvent> rejected, List<JsonNode> items) {
        for (int i = 0; i < rejected.size(); i++) {
            ParsedEvent r = rejected.get(i);
            deadLetter(source, r.messageId(), r.error().code(), describe(r),
                    items.get(i).toString().getBytes(StandardCharsets.UTF_8));
            count(source, "rejected", r.error().code(), 1);
        }
    }

    /** Why an event was rejected, as one sentence: plan violations name their own paths. */
    private static String describe(ParsedEvent rejected) {
        return rejected.violations().isEmpty() ? rejected.error().field() + ": " + rejected.error().message() : rejected.error().message();
    }

    private void deadLetter(String source, String messageId, String code, String text, byte[] payload) {
        // Read from HTTP, not from a topic: no input coordinates.
        DeadLetter letter = DeadLetters.of(COMPONENT, code, text, source, messageId, payload, null);
        try {
            producer.sendDeadLetterAndAwait(source, letter);
            DeadLetters.count(meters, letter);
        } catch (EventProducer.NotAcknowledgedException e) {
            // The sender still learns why the event was rejected; only our record of it is missing.
            log.error("dead letter not recorded source={} reason={} cause=\"{}\"", source, code, e.getMessage());
            count(source, "dead_letter_failed", code, 1);
        }
    }

    private void count(String source, String outcome, String reason, int n) {
        Counter.builder("sightline.ingest.events").description("Events received by the gateway, by outcome")
                .tag("source", source).tag("outcome", outcome).tag("reason", reason)
                .register(meters).increment(n);
    }
}
