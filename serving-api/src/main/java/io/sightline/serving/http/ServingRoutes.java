package io.sightline.serving.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.sightline.common.http.AccessTokens;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.Caller;
import io.sightline.common.http.DimensionFilter;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.common.http.Scope;
import io.sightline.serving.live.LiveUpdates;
import io.sightline.serving.query.AlertQueries;
import io.sightline.serving.query.CatalogQueries;
import io.sightline.serving.query.FunnelQueries;
import io.sightline.serving.query.MetricQueries;
import io.sightline.serving.query.QualityQueries;
import io.sightline.serving.topology.ServingTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * The read API ({@code /v1/metrics}, {@code /v1/alerts}, {@code /v1/stream}), its
 * OpenAPI description and the dashboard page. Bad parameters get 400 naming the
 * parameter; an unknown metric 404; no replica able to answer 503 with Retry-After.
 */
public final class ServingRoutes {

    private static final Set<String> RESERVED_PARAMS =
            Set.of("from", "to", "window", "local", "groupBy", "top", "access_token");
    private static final Set<String> STATUSES = Set.of("firing", "resolved");
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private final MetricQueries metrics;
    private final CatalogQueries catalog;
    private final AlertQueries alerts;
    private final QualityQueries quality;
    private final FunnelQueries funnels;
    private final LiveUpdates live;
    private final AccessTokens tokens;
    private final Duration heartbeat;
    private final Semaphore streamSlots;
    private final String openApi;

    public ServingRoutes(
            MetricQueries metrics,
            CatalogQueries catalog,
            AlertQueries alerts,
            QualityQueries quality,
            LiveUpdates live,
            AccessTokens tokens,
            int maxStreamClients,
            Duration heartbeat) {
        this.metrics = metrics;
        this.catalog = catalog;
        this.alerts = alerts;
        this.quality = quality;
        this.funnels = new FunnelQueries(metrics);
        this.live = live;
        this.tokens = tokens;
        this.heartbeat = heartbeat;
        this.streamSlots = new Semaphore(maxStreamClients);
        this.openApi = resource("/openapi.json");
    }

    public void addTo(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/dashboard";
            files.location = Location.CLASSPATH;
        });
        // Data quality needs quality:read; everything else here (metrics, funnels, alerts, the stream) metrics:read.
        config.routes.before("/v1/*", ctx -> {
            if (!"OPTIONS".equals(ctx.method().name())) {
                boolean quality =
                        ctx.path().startsWith("/v1/quality") || ctx.path().startsWith("/v1/catalog");
                tokens.check(ctx, quality ? Scope.QUALITY_READ : Scope.METRICS_READ);
            }
        });
        config.routes.get(
                "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        config.routes.get("/v1/metrics", ctx -> {
            Caller caller = Caller.of(ctx);
            CatalogQueries.Catalog all = catalog.all(isLocal(ctx));
            HttpService.json(
                    ctx,
                    200,
                    new CatalogQueries.Catalog(all.metrics().stream()
                            .filter(m -> caller.mayRead(m.name()))
                            .toList()));
        });
        config.routes.get("/v1/metrics/{metric}", this::metric);
        config.routes.get("/v1/alerts", this::alertList);
        config.routes.get("/v1/alerts/{fingerprint}", ctx -> {
            AlertQueries.OneAlert one = alerts.one(ctx.pathParam("fingerprint"), isLocal(ctx));
            Caller.of(ctx).requireMetric(baseMetric(one.alert().metric()));
            HttpService.json(ctx, 200, one);
        });
        config.routes.get("/v1/funnels/{name}", ctx -> {
            Caller.of(ctx).requireMetric(ctx.pathParam("name"));
            TimeRange range = timeRange(ctx, Duration.ofDays(1));
            HttpService.json(
                    ctx,
                    200,
                    funnels.funnel(
                            ctx.pathParam("name"),
                            dimensionFilter(ctx),
                            groupByParam(ctx),
                            intParam(ctx, "top", 10, 1, 100),
                            range.from(),
                            range.to(),
                            windowParam(ctx)));
        });
        config.routes.get("/v1/quality", ctx -> {
            TimeRange range = timeRange(ctx, Duration.ofHours(1));
            HttpService.json(ctx, 200, quality.rejects(range.from(), range.to(), isLocal(ctx)));
        });
        config.routes.get("/v1/quality/violations", ctx -> {
            TimeRange range = timeRange(ctx, Duration.ofHours(1));
            HttpService.json(
                    ctx,
                    200,
                    quality.violations(
                            range.from(),
                            range.to(),
                            violationGroupBy(ctx),
                            ctx.queryParam("source"),
                            intParam(ctx, "top", 50, 1, 1000),
                            isLocal(ctx)));
        });
        config.routes.sse("/v1/stream", this::stream);
    }

    private void metric(Context ctx) {
        Caller.of(ctx).requireMetric(ctx.pathParam("metric"));
        TimeRange range = timeRange(ctx, Duration.ofHours(1));
        MetricQueries.Query query = new MetricQueries.Query(
                ctx.pathParam("metric"),
                dimensionFilter(ctx),
                range.from(),
                range.to(),
                windowParam(ctx),
                groupByParam(ctx),
                intParam(ctx, "top", 10, 1, 100));
        HttpService.json(ctx, 200, metrics.query(query, isLocal(ctx)));
    }

    private record TimeRange(Instant from, Instant to) {}

    /** {@code from} and {@code to}: default now and {@code defaultSpan} before it; 400 naming from if it is after to. */
    private static TimeRange timeRange(Context ctx, Duration defaultSpan) {
        Instant to = instantParam(ctx, "to", Instant.now());
        Instant from = instantParam(ctx, "from", to.minus(defaultSpan));
        if (from.isAfter(to)) {
            throw ApiException.invalidParameter("from", "from (" + from + ") must not be after to (" + to + ")");
        }
        return new TimeRange(from, to);
    }

    /** {@code groupBy} of violations: some of source, event, type, path, plan (default all but plan); 400 naming an unknown one. */
    private static List<String> violationGroupBy(Context ctx) {
        String groupBy = ctx.queryParam("groupBy");
        if (groupBy == null) {
            return List.of("source", "event", "type", "path");
        }
        List<String> fields = new ArrayList<>();
        for (String field : groupBy.split(",")) {
            String f = field.trim();
            if (!ServingTopology.VIOLATION_FIELDS.contains(f)) {
                throw ApiException.invalidParameter(
                        "groupBy",
                        "violations group by " + String.join(", ", ServingTopology.VIOLATION_FIELDS) + "; not '" + f
                                + "'");
            }
            if (!fields.contains(f)) {
                fields.add(f);
            }
        }
        return fields;
    }

    /** The optional {@code groupBy} dimension; 400 if it is given but blank. */
    private static String groupByParam(Context ctx) {
        String groupBy = ctx.queryParam("groupBy");
        if (groupBy != null && groupBy.isBlank()) {
            throw ApiException.invalidParameter("groupBy", "groupBy must name a dimension");
        }
        return groupBy;
    }

    /** Query parameters that are not reserved ones: dimension filters ({@code ?platform=ios}). */
    private static Map<String, String> dimensionFilter(Context ctx) {
        return DimensionFilter.of(ctx, RESERVED_PARAMS);
    }

    private void alertList(Context ctx) {
        String status = oneOf(ctx, "status", STATUSES);
        String severity = oneOf(ctx, "severity", SEVERITIES);
        AlertQueries.Filter filter = new AlertQueries.Filter(status, severity, ctx.queryParam("metric"));
        Caller caller = Caller.of(ctx);
        AlertQueries.AlertList all = alerts.list(filter, isLocal(ctx));
        HttpService.json(
                ctx,
                200,
                new AlertQueries.AlertList(all.alerts().stream()
                        .filter(a -> caller.mayRead(baseMetric(a.metric())))
                        .toList()));
    }

    /**
     * Server-Sent Events: {@code metric} and {@code alert} events as they happen,
     * filtered by {@code ?metric=a,b}, with heartbeat comments in between. Holds one
     * server thread per client, so clients are capped.
     */
    private void stream(SseClient client) {
        if (!streamSlots.tryAcquire()) {
            client.sendEvent(
                    "error", "{\"code\":\"unavailable\",\"message\":\"too many live-stream clients; retry later\"}");
            client.close();
            return;
        }
        String filter = client.ctx().queryParam("metric");
        Set<String> asked = filter == null || filter.isBlank()
                ? Set.of()
                : Arrays.stream(filter.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toSet());
        Set<String> wanted = asked;
        // A token limited to named metrics streams only those.
        Set<String> granted = Caller.of(client.ctx()).metrics();
        if (!granted.isEmpty()) {
            wanted = wanted.isEmpty()
                    ? granted
                    : wanted.stream().filter(granted::contains).collect(Collectors.toSet());
        }
        if (wanted.isEmpty() && !granted.isEmpty()) {
            client.sendEvent(
                    "error",
                    "{\"code\":\"metric_not_granted\",\"message\":\"this token may stream only " + granted + "\"}");
            client.close();
            streamSlots.release();
            return;
        }
        try (LiveUpdates.Subscription subscription = live.subscribe(wanted)) {
            client.sendComment("connected");
            while (!client.terminated()) {
                LiveUpdates.Update update = subscription.next(heartbeat);
                if (update == null) {
                    client.sendComment("heartbeat");
                } else {
                    client.sendEvent(
                            update.type(), Json.MAPPER.writeValueAsString(update.data()), Long.toString(update.id()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // The client went away mid-write; nothing to answer.
        } finally {
            streamSlots.release();
        }
    }

    private static boolean isLocal(Context ctx) {
        return "true".equals(ctx.queryParam("local"));
    }

    private static String oneOf(Context ctx, String name, Set<String> allowed) {
        String value = ctx.queryParam(name);
        if (value != null && !allowed.contains(value)) {
            throw ApiException.invalidParameter(
                    name, name + " must be one of " + allowed.stream().sorted().toList() + "; got '" + value + "'");
        }
        return value;
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalidParameter(
                name, name + " must be an integer from " + min + " to " + max + "; got '" + value + "'");
    }

    private static Duration windowParam(Context ctx) {
        String value = ctx.queryParam("window");
        if (value == null || value.isBlank()) {
            return null; // the metric's smallest window
        }
        try {
            Duration window = Duration.parse(value);
            if (ServingTopology.WINDOW_SIZES.contains(window)) {
                return window;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw ApiException.invalidParameter(
                "window",
                "window '" + value + "' is not available; available: "
                        + ServingTopology.WINDOW_SIZES.stream()
                                .map(Duration::toString)
                                .toList());
    }

    private static Instant instantParam(Context ctx, String name, Instant fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Instants.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalidParameter(
                    name, name + " must be an ISO-8601 instant such as 2024-05-01T12:00:00Z; got '" + value + "'");
        }
    }

    private static String resource(String path) {
        try (InputStream in = ServingRoutes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the serving-api jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The metric an alert or series belongs to, without its window-size suffix. */
    private static String baseMetric(String seriesMetric) {
        return ServingTopology.baseMetric(seriesMetric).getKey();
    }
}
