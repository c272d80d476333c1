package io.sightline.ingest.http;

import io.javalin.config.JavalinConfig;
import io.sightline.common.audit.AuditLog;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.schemas.avro.AuditEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/audit?from=...&to=...&limit=...} (admin, through {@link AdminAccess}): the
 * audit log's entries in a time range, oldest first; {@code to} defaults to now and
 * {@code from} to a day before it.
 */
public final class AuditRoutes {

    private final AuditLog audit;

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    public void addTo(JavalinConfig javalin) {
        javalin.routes.get("/v1/audit", ctx -> {
            Instant to = instant(ctx.queryParam("to"), "to", Instant.now());
            Instant from = instant(ctx.queryParam("from"), "from", to.minus(Duration.ofDays(1)));
            if (from.isAfter(to)) {
                throw ApiException.invalidParameter("from", "from (" + from + ") must not be after to (" + to + ")");
            }
            int limit = limit(ctx.queryParam("limit"));
            List<Map<String, Object>> entries =
                    audit.read(from, to, limit).stream().map(AuditRoutes::view).toList();
            HttpService.json(
                    ctx, 200, Map.of("data", Map.of("from", from.toString(), "to", to.toString(), "entries", entries)));
        });
    }

    private static Map<String, Object> view(AuditEntry e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("at", e.getAt().toString());
        v.put("service", e.getService());
        v.put("credential", e.getCredential());
        v.put("action", e.getAction());
        v.put("resource", e.getResource());
        v.put("address", e.getAddress());
        v.put("outcome", e.getOutcome());
        return v;
    }

    private static Instant instant(String value, String name, Instant otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalidParameter(
                    name, name + " must be an ISO-8601 instant such as 2026-12-06T10:00:00Z; got '" + value + "'");
        }
    }

    private static int limit(String value) {
        if (value == null || value.isBlank()) {
            return 1_000;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= AuditLog.MAX_ENTRIES) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalidParameter(
                "limit", "limit must be an integer from 1 to " + AuditLog.MAX_ENTRIES + "; got '" + value + "'");
    }
}
