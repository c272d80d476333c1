package io.sightline.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.plugin.bundled.CorsPlugin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.health.HealthCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of a Sightline service: {@code /metrics} (Prometheus text),
 * {@code /health/live}, {@code /health/ready}, the JSON error envelope, and whatever
 * routes the service adds.
 */
public final class HttpService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpService.class);

    private final Javalin app;
    private final String name;

    private HttpService(String name, Javalin app) {
        this.name = name;
        this.app = app;
    }

    /**
     * Starts the server on the service's HTTP settings: interface and port ({@code http.port} 0
     * picks a free one, see {@link #port()}) and, where the service declares it, the origins
     * browsers may call it from ({@code cors.allowed.origins}, with {@code Retry-After} readable).
     *
     * @param routes adds the service's own routes to the config
     */
    public static HttpService start(
            String name,
            ServiceConfig settings,
            PrometheusMeterRegistry metrics,
            HealthCheck health,
            Consumer<JavalinConfig> routes) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = settings.httpHost();
            config.jetty.port = settings.httpPort();
            // Browser code must be able to read why it should wait.
            cors(config, settings.corsAllowedOrigins(), List.of("Retry-After"));
            config.routes.get(
                    "/metrics",
                    ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                            .result(metrics.scrape()));
            config.routes.get("/health/live", ctx -> healthAnswer(ctx, health.isLive(), health));
            config.routes.get("/health/ready", ctx -> healthAnswer(ctx, health.isReady(), health));
            config.routes.exception(ApiException.class, (e, ctx) -> {
                e.headers().forEach(ctx::header);
                writeError(ctx, e.status(), e.code(), e.getMessage(), e.details());
            });
            // A Streams store stops being queryable during a rebalance or restore, even between
            // lookup and read: that is "retry shortly", never a 500.
            config.routes.exception(org.apache.kafka.streams.errors.InvalidStateStoreException.class, (e, ctx) -> {
                ctx.header("Retry-After", "2");
                writeError(
                        ctx, 503, "unavailable", "State stores are rebalancing or restoring; retry shortly", List.of());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("Unhandled error in {} {} {}", name, ctx.method(), ctx.path(), e);
                writeError(ctx, 500, "internal_error", "Internal error; see the " + name + " log", List.of());
            });
            // Javalin answers an unknown route in plain text: that 404 becomes our JSON envelope, so
            // clients can read it; a route's own 404 (an unknown metric, a registry's error code) stays.
            config.routes.error(404, "*", ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || type.startsWith("text/")) {
                    writeError(ctx, 404, "not_found", "No route for " + ctx.method() + " " + ctx.path(), List.of());
                }
            });
            routes.accept(config);
        });
        app.start();
        log.info("{} HTTP server listening on {}:{}", name, settings.httpHost(), app.port());
        return new HttpService(name, app);
    }

    public int port() {
        return app.port();
    }

    /**
     * Answers cross-origin requests (and their {@code OPTIONS} preflights) from browser
     * code served by {@code allowedOrigins}: full origins such as
     * {@code https://app.example.com}, or {@code *} for any. An empty list adds nothing,
     * so browsers refuse cross-origin calls. {@code exposedHeaders} become readable to
     * scripts (for example {@code Retry-After}). Call it from the service's routes consumer.
     */
    private static void cors(JavalinConfig config, List<String> allowedOrigins, List<String> exposedHeaders) {
        if (allowedOrigins.isEmpty()) {
            return;
        }
        config.registerPlugin(new CorsPlugin(cors -> cors.addRule(rule -> {
            if (allowedOrigins.contains("*")) {
                rule.anyHost();
            } else {
                rule.allowHost(
                        allowedOrigins.get(0),
                        allowedOrigins.subList(1, allowedOrigins.size()).toArray(String[]::new));
            }
            exposedHeaders.forEach(rule::exposeHeader);
            // Browsers may cache the preflight answer for ten minutes instead of asking before every request.
            rule.maxAge = 600;
        })));
    }

    /**
     * Closes the listening sockets, so new connections are refused while requests already
     * being served run to completion; {@link #close()} then stops the server. The first
     * half of a graceful shutdown.
     */
    public void stopAccepting() {
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof NetworkConnector network) {
                network.close();
            }
        }
        log.info("{} HTTP server stopped accepting connections", name);
    }

    /** Writes {@code body} as JSON with {@code status}. */
    public static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response as JSON", e);
        }
    }

    public static void writeError(
            Context ctx, int status, String code, String message, List<Map<String, Object>> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        if (!details.isEmpty()) {
            body.put("details", details);
        }
        json(ctx, status, body);
    }

    private static void healthAnswer(Context ctx, boolean ok, HealthCheck health) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "UP" : "DOWN");
        body.putAll(health.details());
        json(ctx, ok ? 200 : 503, body);
    }

    @Override
    public void close() {
        app.stop();
        log.info("{} HTTP server stopped", name);
    }
}
