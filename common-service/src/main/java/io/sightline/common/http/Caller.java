package io.sightline.common.http;

import io.javalin.http.Context;
import java.util.Set;

/**
 * Who made a request, as its token says: the credential's name (never the token), its
 * scopes, and the metrics it may read (empty: every metric).
 */
public record Caller(String name, Set<Scope> scopes, Set<String> metrics) {

    /** The caller of a service that has no tokens configured: local use, everything readable. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Set.of(Scope.values()), Set.of());

    /** The request attribute that holds the caller once the access check ran. */
    public static final String ATTRIBUTE = "sightline.caller";

    public Caller {
        scopes = Set.copyOf(scopes);
        metrics = Set.copyOf(metrics);
    }

    public boolean mayRead(String metric) {
        return metrics.isEmpty() || metrics.contains(metric);
    }

    /** 403 naming the metrics this caller may read, unless it may read {@code metric}. */
    public void requireMetric(String metric) {
        if (!mayRead(metric)) {
            throw new ApiException(
                    403,
                    "metric_not_granted",
                    "The token '" + name + "' may read only the metrics " + metrics + ", not '" + metric + "'");
        }
    }

    /** The caller the access check found for this request (anonymous if none ran). */
    public static Caller of(Context ctx) {
        Caller caller = ctx.attribute(ATTRIBUTE);
        return caller == null ? ANONYMOUS : caller;
    }

    void attachTo(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }
}
