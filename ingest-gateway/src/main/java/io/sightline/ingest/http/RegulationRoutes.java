package io.sightline.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Caller;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.privacy.InvalidRegulationException;
import io.sightline.privacy.RegulationFeed;
import io.sightline.privacy.RegulationRequest;
import io.sightline.privacy.RetentionInForce;
import io.sightline.privacy.erasure.SubjectErasure;
import io.sightline.schemas.avro.RegulationState;
import io.sightline.schemas.avro.RegulationStatus;
import io.sightline.schemas.avro.RegulationStep;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The regulations API, in Segment's names so its tooling ports (admin scope, through {@link AdminAccess}):
 * {@code POST /v1/regulations} asks to stop collecting about data subjects, to collect
 * again, or to erase what is stored about them, and answers 202 with the request's id;
 * {@code GET /v1/regulations/{id}} and {@code GET /v1/regulations} show each request's
 * overall status, its steps, and for erasures when the last copy of the subjects' events
 * expires from the topics ({@code rawDataExpiresBy}). Subject ids are never logged nor
 * echoed.
 */
public final class RegulationRoutes {

    private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(10);

    private final RegulationFeed regulations;
    private final RetentionInForce retention;

    public RegulationRoutes(RegulationFeed regulations, RetentionInForce retention) {
        this.regulations = regulations;
        this.retention = retention;
    }

    public void addTo(JavalinConfig javalin) {
        javalin.routes.post("/v1/regulations", this::submit);
        javalin.routes.get("/v1/regulations", ctx -> {
            HttpService.json(
                    ctx,
                    200,
                    Map.of(
                            "data",
                            Map.of(
                                    "regulations",
                                    regulations.statuses().stream()
                                            .map(this::view)
                                            .toList())));
        });
        javalin.routes.get("/v1/regulations/{id}", ctx -> {
            RegulationStatus status = regulations
                    .status(ctx.pathParam("id"))
                    .orElseThrow(() -> new ApiException(404, "unknown_regulation", "No regulation has this id"));
            HttpService.json(ctx, 200, Map.of("data", Map.of("regulation", view(status))));
        });
    }

    private void submit(Context ctx) {
        RegulationRequest request;
        try {
            JsonNode body = Json.MAPPER.readTree(ctx.bodyAsBytes());
            request = RegulationRequest.parse(body);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", "The request is not JSON: " + e.getMessage());
        } catch (InvalidRegulationException e) {
            throw new ApiException(
                    400, "invalid_regulation", e.getMessage(), List.of(Map.of("field", e.field())), Map.of());
        }
        RegulationStatus status = regulations.submit(request, Caller.of(ctx).name(), SUBMIT_TIMEOUT);
        if (status.getOverallStatus() == RegulationState.FAILED) {
            throw ApiException.unavailable(
                    "The regulation was not stored or applied in time; retry: "
                            + status.getSteps().get(0).getDetail(),
                    5);
        }
        HttpService.json(ctx, 202, Map.of("data", Map.of("regulateId", status.getRegulationId())));
    }

    private Map<String, Object> view(RegulationStatus status) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", status.getRegulationId());
        v.put("regulationType", status.getRegulationType().name());
        v.put("subjectType", status.getSubjectType().name());
        v.put("subjectCount", status.getSubjectCount());
        v.put("requestedBy", status.getRequestedBy());
        v.put("overallStatus", status.getOverallStatus().name());
        v.put("createdAt", status.getRequestedAt().toString());
        v.put("finishedAt", finishedAt(status));
        v.put("steps", status.getSteps().stream().map(RegulationRoutes::step).toList());
        if (SubjectErasure.erases(status.getRegulationType())) {
            // Events in the raw, enriched and dead-letter topics cannot be edited: they expire with the topics.
            retention.rawData().ifPresent(rawData -> {
                if (rawData.unlimited()) {
                    v.put("rawDataExpiresBy", null);
                    v.put("rawDataNote", rawData.unlimitedTopic() + " keeps events without a time limit");
                } else {
                    v.put(
                            "rawDataExpiresBy",
                            status.getRequestedAt().plus(rawData.longest()).toString());
                }
            });
        }
        return v;
    }

    private static Map<String, Object> step(RegulationStep step) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", step.getName());
        v.put("status", step.getStatus().name());
        v.put(
                "startedAt",
                step.getStartedAt() == null ? null : step.getStartedAt().toString());
        v.put(
                "finishedAt",
                step.getFinishedAt() == null ? null : step.getFinishedAt().toString());
        v.put("detail", step.getDetail());
        return v;
    }

    private static String finishedAt(RegulationStatus status) {
        if (status.getOverallStatus() != RegulationState.FINISHED
                && status.getOverallStatus() != RegulationState.FAILED) {
            return null;
        }
        return status.getSteps().stream()
                .map(RegulationStep::getFinishedAt)
                .filter(java.util.Objects::nonNull)
                .max(Instant::compareTo)
                .map(Instant::toString)
                .orElse(null);
    }
}
