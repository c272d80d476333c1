package io.sightline.ingest.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.http.HttpService;
import java.util.List;
import java.util.Map;

/**
 * A source's settings as Segment's libraries fetch them from their CDN host
 * ({@code GET /v1/projects/<writeKey>/settings}): they name this gateway as the place
 * to send events. Mobile and JVM libraries whose CDN host points here then keep
 * sending here; without an answer they fall back to built-in defaults that name
 * Segment's own API. The write key must be one the gateway knows (401 otherwise).
 */
public final class SourceSettingsRoute {

    private final WriteKeyAuth auth;

    public SourceSettingsRoute(WriteKeyAuth auth) {
        this.auth = auth;
    }

    public void addTo(JavalinConfig javalin) {
        javalin.routes.get("/v1/projects/{writeKey}/settings", this::settings);
    }

    private void settings(Context ctx) {
        String writeKey = ctx.pathParam("writeKey");
        auth.sourceOfKey(writeKey);
        // The host the library reached this gateway by is the one it can send to.
        Map<String, Object> segmentIo = Map.of(
                "apiKey",
                writeKey,
                "apiHost",
                ctx.host() + "/v1",
                "unbundledIntegrations",
                List.of(),
                "addBundledMetadata",
                false);
        HttpService.json(
                ctx,
                200,
                Map.of("integrations", Map.of("Segment.io", segmentIo), "plan", Map.of(), "edgeFunction", Map.of()));
    }
}
