package io.sightline.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.ingest.GatewayConfig;
import io.sightline.ingest.intake.EventIntake;
import io.sightline.ingest.intake.IntakeMetrics;
import io.sightline.ingest.kafka.EventProducer;
import io.sightline.ingest.ratelimit.RateLimiter;
import io.sightline.ingest.validation.ErrorCode;
import io.sightline.ingest.validation.ParsedEvent;
import io.sightline.plans.Violation;
import io.sightline.schemas.avro.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The Segment-compatible tracking API: {@code POST /v1/track|identify|page|screen|group|alias}
 * and {@code POST /v1/batch}, also under the one-letter paths Segment's libraries use
 * ({@code /v1/t}, {@code /v1/p}, {@code /v1/i}, {@code /v1/s}, {@code /v1/g}, {@code /v1/a},
 * {@code /v1/b}) and batch's older name {@code /v1/import}: authentication, body reading, rate limits and
 * answers. What becomes of the events is the {@link EventIntake}'s job: every accepted event is acknowledged
 * by Kafka before the answer; every rejected one is answered with why and recorded as a dead letter.
 */
public final class TrackingRoutes {

    private static final String SUCCESS_BODY = "{\"success\":true}";

    private final GatewayConfig config;
    private final WriteKeyAuth auth;
    private final EventIntake intake;
    private final IntakeMetrics metrics;
    private final RateLimiter rateLimiter;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    public TrackingRoutes(GatewayConfig config, EventIntake intake, IntakeMetrics metrics) {
        this.config = config;
        this.auth = new WriteKeyAuth(config.sourcesByWriteKey());
        this.intake = intake;
        this.metrics = metrics;
        this.rateLimiter = new RateLimiter(config.rateLimitEventsPerSecond(), config.rateLimitBurst());
    }

    public void addTo(JavalinConfig javalin) {
        javalin.http.maxRequestSize = config.maxRequestBytes();
        for (EventType type : EventType.values()) {
            // Segment's browser and mobile libraries name the call by its first letter (/v1/t, /v1/p, ...).
            for (String path :
                    List.of("/v1/" + type.name(), "/v1/" + type.name().charAt(0))) {
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
            metrics.request(endpoint, status, System.nanoTime() - start);
        }
    }

    /** The answer to every fully accepted request, written without a JSON serializer. */
    private static void success(Context ctx) {
        ctx.status(200).contentType("application/json").result(SUCCESS_BODY);
    }

    private void single(Context ctx, EventType type) {
        Instant receivedAt = Instant.now();
        Authenticated request = authenticated(ctx);
        limitRate(request.source(), 1);
        EventIntake.Outcome outcome = unlessUnavailable(() -> intake.single(
                request.source(), request.json(), request.body().length, type, receivedAt, clientIp(ctx)));
        if (outcome.rejected() > 0) {
            ParsedEvent rejected = outcome.results().get(0);
            ErrorCode code = rejected.error().code();
            String message = code == ErrorCode.EVENT_TOO_LARGE
                    ? "Event is larger than " + config.maxEventBytes() + " bytes"
                    : "Event rejected: " + EventIntake.describe(rejected);
            List<Map<String, Object>> details = code == ErrorCode.EVENT_TOO_LARGE
                    ? List.of(Map.of("limit", config.maxEventBytes()))
                    : List.of(detail(null, rejected));
            throw code.exception(message, details, Map.of());
        }
        success(ctx);
    }

    private void batch(Context ctx) {
        Instant receivedAt = Instant.now();
        Authenticated request = authenticated(ctx);
        String source = request.source();
        JsonNode body = request.json();
        JsonNode items = body.path("batch");
        if (!items.isArray()) {
            throw ErrorCode.MISSING_FIELD.exception("batch is required and must be an array of events");
        }
        if (items.size() > config.maxBatchItems()) {
            throw ErrorCode.BATCH_TOO_LARGE.exception(
                    "Batch has " + items.size() + " events; the limit is " + config.maxBatchItems(),
                    List.of(Map.of("limit", config.maxBatchItems())),
                    Map.of());
        }
        limitRate(source, items.size());
        JsonNode batchContext = body.path("context").isObject() ? body.path("context") : null;
        JsonNode batchSentAt = body.path("sentAt").isTextual() ? body.path("sentAt") : null;
        EventIntake.Outcome outcome = unlessUnavailable(
                () -> intake.batch(source, items, batchContext, batchSentAt, receivedAt, clientIp(ctx)));
        if (outcome.rejected() == 0) {
            success(ctx);
            return;
        }
        List<Map<String, Object>> perItem = new ArrayList<>();
        for (int i = 0; i < outcome.results().size(); i++) {
            perItem.add(detail(i, outcome.results().get(i)));
        }
        if (outcome.accepted() == 0) {
            throw ErrorCode.ALL_EVENTS_REJECTED.exception(
                    "All " + outcome.results().size() + " events in the batch were rejected", perItem, Map.of());
        }
        HttpService.json(
                ctx,
                207,
                Map.of(
                        "success",
                        false,
                        "accepted",
                        outcome.accepted(),
                        "rejected",
                        outcome.rejected(),
                        "results",
                        perItem));
    }

    /** Runs the intake; Kafka not acknowledging is answered 503 with Retry-After: nothing was stored, the sender retries. */
    private EventIntake.Outcome unlessUnavailable(Supplier<EventIntake.Outcome> takeIn) {
        try {
            return takeIn.get();
        } catch (EventProducer.NotAcknowledgedException e) {
            throw ApiException.unavailable(
                    "Events not stored, please retry later: " + e.getMessage(), config.retryAfterSeconds());
        }
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
            d.put("code", parsed.error().code().code());
            d.put("message", parsed.error().message());
        }
        if (!parsed.violations().isEmpty()) {
            List<Map<String, Object>> violations = new ArrayList<>();
            for (Violation v : parsed.violations()) {
                violations.add(Map.of(
                        "type",
                        v.type().code(),
                        "path",
                        v.path(),
                        "expected",
                        v.expected(),
                        "actual",
                        v.actual(),
                        "message",
                        v.message()));
            }
            d.put("violations", violations);
        }
        return d;
    }

    /** A request's source, its body, and the body as a JSON object. */
    private record Authenticated(String source, byte[] body, JsonNode json) {}

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
        RequestBody.Read read = RequestBody.read(
                ctx.bodyInputStream(),
                ctx.header("Content-Encoding"),
                ctx.req().getContentLengthLong(),
                config.maxRequestBytes());
        metrics.requestBytes(read.gzipped() ? "gzip" : "identity", read.wireBytes(), read.bytes().length);
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
            metrics.events(source, "rate_limited", ErrorCode.RATE_LIMITED.code(), events);
            throw ErrorCode.RATE_LIMITED.exception(
                    "Source " + source + " sends more than " + config.rateLimitEventsPerSecond()
                            + " events per second; retry after " + retryAfter + " s",
                    List.of(),
                    Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    private JsonNode parseJson(byte[] body, String source) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new JsonProcessingException("the body must be a JSON object") {};
            }
            return node;
        } catch (java.io.IOException e) {
            String where = e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                    ? " at line " + jpe.getLocation().getLineNr() + ", column "
                            + jpe.getLocation().getColumnNr()
                    : "";
            String reason =
                    (e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage()) + where;
            intake.rejectBody(source, body, reason);
            throw ErrorCode.INVALID_JSON.exception("Body is not valid JSON: " + reason);
        }
    }
}
