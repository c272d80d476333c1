package io.sightline.common.http;

import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Dimension filters as query parameters: every parameter that is not one of the route's own is {@code <dimension>=<value>}. */
public final class DimensionFilter {

    private DimensionFilter() {}

    /** The dimensions named by the request's query parameters other than {@code reserved}, first value each, sorted by name. */
    public static Map<String, String> of(Context ctx, Set<String> reserved) {
        Map<String, String> filter = new TreeMap<>();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!reserved.contains(name) && !values.isEmpty()) {
                filter.put(name, values.get(0));
            }
        });
        return filter;
    }
}
