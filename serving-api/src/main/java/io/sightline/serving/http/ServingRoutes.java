package io.sightline.serving.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.serving.query.AlertQueries;
import io.sightline.serving.query.MetricQueries;
import io.sightline.serving.topology.ServingTopology;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The read API: {@code GET /v1/metrics/{metric}} and {@code GET /v1/alerts}. */
public final class ServingRoutes {

    private static final Set<String> RESERVED_PARAMS = Set.of("from", "to", "window", "local");

    private final MetricQueries metrics;
    private final AlertQueries alerts;

    public ServingRoutes(MetricQueries metrics, AlertQueries alerts) {
        this.metrics = metrics;
        this.alerts = alerts;
    }

    public void addTo(JavalinConfig config) {
        config.routes.get("/v1/metrics/{metric}", this::metric);
        config.routes.get("/v1/alerts", ctx -> HttpService.json(ctx, 200, alerts.all(isLocal(ctx), ctx.header("Authorization"))));
    }

    private void metric(Context ctx) {
        Instant to = instantParam(ctx, "to", Instant.now());
        Instant from = instantParam(ctx, "from", to.minus(Duration.ofHours(1)));
        if (from.isAfter(to)) {
            throw ApiException.badRequest("invalid_parameter", "from (" + from + ") must not be after to (" + to + ")");
        }
        String window = ctx.queryParam("window");
        if (window != null && !window.equals(ServingTopology.WINDOW_SIZE.toString())) {
            throw new ApiException(400, "invalid_parameter", "window '" + window + "' is not available; available: "
                    + ServingTopology.WINDOW_SIZE, List.of(Map.of("parameter", "window")), Map.of());
        }
        Map<String, String> dimensions = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!RESERVED_PARAMS.contains(name) && !values.isEmpty()) {
                dimensions.put(name, values.get(0));
            }
        });
        HttpService.json(ctx, 200, metrics.query(ctx.pathParam("metric"), dimensions, from, to, isLocal(ctx), ctx.header("Authorization")));
    }

    private static boolean isLocal(Context ctx) {
        return "true".equals(ctx.queryParam("local"));
    }

    private static Instant instantParam(Context ctx, String name, Instant fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "invalid_parameter", name + " must be an ISO-8601 instant such as 2024-05-01T12:00:00Z; got '"
                    + value + "'", List.of(Map.of("parameter", name)), Map.of());
        }
    }
}
