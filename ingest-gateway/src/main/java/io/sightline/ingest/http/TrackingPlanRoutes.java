package io.sightline.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.ingest.plans.PlanChangeCheck;
import io.sightline.plans.InvalidPlanException;
import io.sightline.plans.PlanBindings;
import io.sightline.plans.TrackingPlan;
import io.sightline.plans.TrackingPlanFeed;
import io.sightline.plans.TrackingPlanStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracking-plan API (admin scope, through {@link AdminAccess}): {@code PUT /v1/tracking-plans/{name}}
 * publishes the next version (to {@code quality.plans.v1}, which every replica follows),
 * {@code GET /v1/tracking-plans[/{name}[/versions/{v}]]} reads plans back.
 */
public final class TrackingPlanRoutes {

    private static final Logger log = LoggerFactory.getLogger(TrackingPlanRoutes.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final TrackingPlanStore plans;
    private final TrackingPlanFeed feed;
    private final PlanBindings bindings;
    private final PlanChangeCheck changeCheck;

    public TrackingPlanRoutes(
            TrackingPlanStore plans, TrackingPlanFeed feed, PlanBindings bindings, PlanChangeCheck changeCheck) {
        this.plans = plans;
        this.feed = feed;
        this.bindings = bindings;
        this.changeCheck = changeCheck;
    }

    public void addTo(JavalinConfig javalin) {
        javalin.routes.put("/v1/tracking-plans/{name}", this::publish);
        javalin.routes.get("/v1/tracking-plans", this::list);
        javalin.routes.get("/v1/tracking-plans/{name}", ctx -> {
            HttpService.json(ctx, 200, known(ctx.pathParam("name"), null).document());
        });
        javalin.routes.get("/v1/tracking-plans/{name}/versions/{version}", ctx -> {
            HttpService.json(
                    ctx,
                    200,
                    known(ctx.pathParam("name"), version(ctx.pathParam("version")))
                            .document());
        });
    }

    private void publish(Context ctx) {
        String name = ctx.pathParam("name");
        JsonNode document;
        try {
            document = Json.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new ApiException(422, "invalid_tracking_plan", "The plan is not JSON: " + e.getMessage());
        }
        TrackingPlan current = plans.latest(name);
        int next = current == null ? 1 : current.version() + 1;
        JsonNode given = document == null ? null : document.get("version");
        if (given != null && !given.isNull() && !(given.canConvertToInt() && given.asInt() == next)) {
            throw new ApiException(
                    409,
                    "version_conflict",
                    "Plan " + name + " is at version " + (next - 1) + "; the next is " + next + ", not " + given
                            + ". Leave version out to publish the next one",
                    List.of(Map.of("current", next - 1)),
                    Map.of());
        }
        TrackingPlan plan;
        try {
            plan = plans.compiler().compile(name, next, document);
        } catch (InvalidPlanException e) {
            List<Map<String, Object>> details = new ArrayList<>();
            e.problems().forEach(p -> details.add(Map.of("path", p.path(), "message", p.message())));
            throw new ApiException(
                    422,
                    "invalid_tracking_plan",
                    "Tracking plan " + name + " is not valid: " + e.getMessage(),
                    details,
                    Map.of());
        }
        if (current != null && !"true".equals(ctx.queryParam("force"))) {
            List<PlanChangeCheck.Affected> affected = changeCheck.newlyBlocked(current, plan);
            if (!affected.isEmpty()) {
                List<Map<String, Object>> details = new ArrayList<>();
                affected.forEach(a -> details.add(
                        Map.of("source", a.source(), "type", a.type(), "event", a.name(), "reason", a.reason())));
                throw new ApiException(
                        409,
                        "plan_would_block_events",
                        "Version " + next + " of " + name + " would block " + affected.size()
                                + " kind(s) of event that version " + current.version()
                                + " accepts; publish with ?force=true to do it anyway",
                        details,
                        Map.of());
            }
        }
        try {
            feed.publish(plan, PUBLISH_TIMEOUT);
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("Tracking plan not published, please retry: " + e.getMessage(), 5);
        }
        log.info(
                "tracking plan {} published ({} events)",
                plan.label(),
                plan.events().size());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", plan.name());
        answer.put("version", plan.version());
        answer.put("events", plan.events().size());
        answer.put("sources", sourcesOf(name));
        HttpService.json(ctx, 201, answer);
    }

    private void list(Context ctx) {
        List<Map<String, Object>> answer = new ArrayList<>();
        for (String name : plans.names()) {
            TrackingPlan latest = plans.latest(name);
            answer.add(Map.of(
                    "name",
                    name,
                    "version",
                    latest.version(),
                    "versions",
                    plans.versions(name),
                    "events",
                    latest.events().size(),
                    "sources",
                    sourcesOf(name)));
        }
        HttpService.json(ctx, 200, Map.of("plans", answer));
    }

    private List<String> sourcesOf(String plan) {
        return bindings.plansBySource().entrySet().stream()
                .filter(e -> e.getValue().equals(plan))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private TrackingPlan known(String name, Integer version) {
        TrackingPlan plan = version == null ? plans.latest(name) : plans.version(name, version);
        if (plan == null) {
            throw new ApiException(
                    404,
                    "unknown_tracking_plan",
                    version == null
                            ? "No tracking plan named '" + name + "' is published"
                            : "Tracking plan '" + name + "' has no version " + version + "; it has "
                                    + plans.versions(name));
        }
        return plan;
    }

    private static int version(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_version", "version must be a whole number, got '" + text + "'");
        }
    }
}
