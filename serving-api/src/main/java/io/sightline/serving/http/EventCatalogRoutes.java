package io.sightline.serving.http;

import io.javalin.config.JavalinConfig;
import io.sightline.common.http.HttpService;
import io.sightline.serving.query.EventCatalogQueries;

/** {@code GET /v1/catalog/events[?source=...]}: the observed event catalog (read token, as every {@code /v1} route). */
public final class EventCatalogRoutes {

    private final EventCatalogQueries catalog;

    public EventCatalogRoutes(EventCatalogQueries catalog) {
        this.catalog = catalog;
    }

    public void addTo(JavalinConfig config) {
        config.routes.get(
                "/v1/catalog/events", ctx -> HttpService.json(ctx, 200, catalog.events(ctx.queryParam("source"))));
    }
}
