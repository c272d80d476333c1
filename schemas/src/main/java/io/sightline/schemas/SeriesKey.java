package io.sightline.schemas;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Identity of one metric series: a metric name and its dimension values.
 * Its canonical string form, {@code metric{k1=v1,k2=v2}} with dimensions sorted by
 * name and names and values URL-encoded, is the record key on
 * {@code metrics.windowed.v1} and the key of every store that holds series, so the
 * aggregator, the anomaly detector and the serving API agree on it.
 */
public record SeriesKey(String metric, SortedMap<String, String> dimensions) {

    public SeriesKey {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("metric name must not be blank");
        }
        dimensions = new TreeMap<>(dimensions);
    }

    public static SeriesKey of(String metric, Map<String, String> dimensions) {
        return new SeriesKey(metric, new TreeMap<>(dimensions));
    }

    public static SeriesKey parse(String key) {
        int open = key.indexOf('{');
        if (open < 0 || !key.endsWith("}")) {
            throw new IllegalArgumentException("not a series key (expected metric{k=v,...}): " + key);
        }
        SortedMap<String, String> dims = new TreeMap<>();
        String body = key.substring(open + 1, key.length() - 1);
        if (!body.isEmpty()) {
            for (String pair : body.split(",")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("dimension without '=' in series key: " + key);
                }
                dims.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return new SeriesKey(decode(key.substring(0, open)), dims);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(encode(metric)).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : dimensions.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
        }
        return sb.append('}').toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
