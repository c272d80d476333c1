package io.sightline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.http.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Query load for the serving API: {@code --concurrency} keep-alive connections asking
 * for one {@code event_count} series each, picked at random, over the last minute
 * ({@code --kind point}, one window) or the last hour ({@code --kind range}, up to 60
 * windows). Closed loop by default; with {@code --rate} (queries/s) paced, latency from
 * each query's scheduled send time ({@link RequestLoop}), which is what "p99 at N
 * queries/s" means. The series are the ones the API lists unless {@code --series}
 * names them (comma-separated event names).
 *
 * <p>Prints one result line: queries/s, latency p50/p90/p99/p99.9/max, statuses other than 200.
 */
public final class QueryLoadGenerator {

    record Options(
            String url,
            String kind,
            int concurrency,
            long queries,
            long warmupQueries,
            double rate,
            String readToken,
            List<String> series,
            String label) {

        static Options parse(String[] args) {
            Map<String, String> a = RequestLoop.options(args);
            String kind = a.getOrDefault("kind", "point");
            if (!kind.equals("point") && !kind.equals("range")) {
                throw new IllegalArgumentException("--kind must be point or range, got " + kind);
            }
            String series = a.getOrDefault("series", "");
            return new Options(
                    a.getOrDefault("url", "http://127.0.0.1:8081"),
                    kind,
                    Integer.parseInt(a.getOrDefault("concurrency", "8")),
                    Long.parseLong(a.getOrDefault("queries", "60000")),
                    Long.parseLong(a.getOrDefault("warmup-queries", "10000")),
                    Double.parseDouble(a.getOrDefault("rate", "0")),
                    a.get("read-token"),
                    series.isBlank() ? List.of() : Arrays.asList(series.split(",")),
                    a.getOrDefault("label", kind));
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        List<String> series = o.series().isEmpty() ? seriesOf(o) : o.series();
        if (series.isEmpty()) {
            System.err.println("No event_count series on " + o.url()
                    + " yet: send events (or start the local stack with --demo) and wait a minute");
            System.exit(1);
        }
        if (o.warmupQueries() > 0) {
            run(o, series, o.warmupQueries());
        }
        RequestLoop.Result r = run(o, series, o.queries());
        System.out.println(String.format(
                Locale.ROOT,
                "RESULT label=%s kind=%s concurrency=%d rate=%s series=%d queries=%d seconds=%.2f queries_per_s=%.0f "
                        + "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f other_statuses=%s errors=%d",
                o.label(),
                o.kind(),
                o.concurrency(),
                o.rate() > 0 ? String.format(Locale.ROOT, "%.0f", o.rate()) : "max",
                series.size(),
                r.items(),
                r.seconds(),
                r.itemsPerSecond(),
                r.ms(50),
                r.ms(90),
                r.ms(99),
                r.ms(99.9),
                r.maxMs(),
                new TreeMap<>(r.otherStatuses()),
                r.errors()));
        System.exit(r.allOk() ? 0 : 2);
    }

    static RequestLoop.Result run(Options o, List<String> series, long queries) throws Exception {
        String authorization = o.readToken() == null ? null : "Bearer " + o.readToken();
        List<String> encoded = series.stream()
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .toList();
        Duration span = o.kind().equals("range") ? Duration.ofHours(1) : Duration.ofMinutes(1);
        return RequestLoop.run(
                URI.create(o.url()),
                o.concurrency(),
                Math.max(1, queries / o.concurrency()),
                1,
                o.rate(),
                (connection, thread, n) -> connection.get(
                        path(encoded.get(ThreadLocalRandom.current().nextInt(encoded.size())), span), authorization));
    }

    /** The dashboard's query shape: one series by its only dimension, {@code span} up to now, millisecond instants. */
    static String path(String encodedEvent, Duration span) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return "/v1/metrics/event_count?event=" + encodedEvent + "&from=" + now.minus(span) + "&to=" + now;
    }

    private static List<String> seriesOf(Options o) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(o.url() + "/v1/metrics/event_count"));
        if (o.readToken() != null) {
            request.header("Authorization", "Bearer " + o.readToken());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + o.url() + "/v1/metrics/event_count answered " + r.statusCode() + ": " + r.body());
        }
        List<String> events = new ArrayList<>();
        for (JsonNode s : Json.MAPPER.readTree(r.body()).path("series")) {
            String event = s.path("dimensions").path("event").asText("");
            if (!event.isEmpty() && !events.contains(event)) {
                events.add(event);
            }
        }
        return events;
    }
}
