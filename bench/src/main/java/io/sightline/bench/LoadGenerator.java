package io.sightline.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Load generator for the ingest gateway: {@code --concurrency} threads, each on its own
 * keep-alive HTTP/1.1 connection ({@link KeepAliveConnection}), post events of about {@code --event-bytes} bytes, one per
 * request ({@code --batch-size 1}, {@code /v1/track}) or {@code --batch-size} per
 * {@code /v1/batch} request. Closed loop by default (as fast as answers come); with
 * {@code --rate} (events/s) paced, latency from the scheduled send time ({@link RequestLoop}).
 *
 * <p>Prints one result line: events/s, requests/s, latency p50/p99/p99.9/max and any
 * status other than 200. Every count and loop is bounded by {@code --events}.
 */
public final class LoadGenerator {

    record Options(
            String url,
            String writeKey,
            int concurrency,
            int batchSize,
            int eventBytes,
            long events,
            long warmupEvents,
            double rate,
            String label) {

        static Options parse(String[] args) {
            Map<String, String> a = RequestLoop.options(args);
            return new Options(
                    a.getOrDefault("url", "http://127.0.0.1:8080"),
                    a.getOrDefault("write-key", "bench-key"),
                    Integer.parseInt(a.getOrDefault("concurrency", "32")),
                    Integer.parseInt(a.getOrDefault("batch-size", "1")),
                    Integer.parseInt(a.getOrDefault("event-bytes", "300")),
                    Long.parseLong(a.getOrDefault("events", "100000")),
                    Long.parseLong(a.getOrDefault("warmup-events", "10000")),
                    Double.parseDouble(a.getOrDefault("rate", "0")),
                    a.getOrDefault("label", "run"));
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.warmupEvents() > 0) {
            run(o, o.warmupEvents(), "warmup");
        }
        RequestLoop.Result result = run(o, o.events(), o.label());
        System.out.println(line(o, result));
        System.exit(result.allOk() ? 0 : 2);
    }

    static String line(Options o, RequestLoop.Result r) {
        return String.format(
                Locale.ROOT,
                "RESULT label=%s concurrency=%d batch=%d event_bytes=%d rate=%s events=%d seconds=%.2f events_per_s=%.0f requests_per_s=%.0f "
                        + "p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f other_statuses=%s errors=%d",
                o.label(),
                o.concurrency(),
                o.batchSize(),
                o.eventBytes(),
                o.rate() > 0 ? String.format(Locale.ROOT, "%.0f", o.rate()) : "max",
                r.items(),
                r.seconds(),
                r.itemsPerSecond(),
                r.requestsPerSecond(),
                r.ms(50),
                r.ms(99),
                r.ms(99.9),
                r.maxMs(),
                new TreeMap<>(r.otherStatuses()),
                r.errors());
    }

    static RequestLoop.Result run(Options o, long totalEvents, String phase) throws Exception {
        String auth =
                "Basic " + Base64.getEncoder().encodeToString((o.writeKey() + ":").getBytes(StandardCharsets.UTF_8));
        String path = o.batchSize() == 1 ? "/v1/track" : "/v1/batch";
        long requestsPerThread = Math.max(1, totalEvents / o.batchSize() / o.concurrency());
        String pad = "x".repeat(Math.max(0, o.eventBytes() - 150));
        String runId = Long.toString(System.nanoTime(), 36) + "-" + phase;
        return RequestLoop.run(
                URI.create(o.url()),
                o.concurrency(),
                requestsPerThread,
                o.batchSize(),
                o.rate() / o.batchSize(),
                (connection, thread, n) -> connection.post(
                        path,
                        auth,
                        body(o.batchSize(), runId + "-" + thread + "-" + n, thread, pad)
                                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Events of about the same size; the user id varies over a thousand users per thread, so keys spread over partitions. */
    static String body(int batchSize, String idPrefix, int thread, String pad) {
        if (batchSize == 1) {
            return event(idPrefix, thread, 0, pad);
        }
        StringBuilder sb = new StringBuilder(batchSize * (pad.length() + 160)).append("{\"batch\":[");
        for (int i = 0; i < batchSize; i++) {
            sb.append(i == 0 ? "" : ",").append(event(idPrefix + "-" + i, thread, i, pad));
        }
        return sb.append("]}").toString();
    }

    private static String event(String messageId, int thread, int i, String pad) {
        return "{\"type\":\"track\",\"event\":\"Bench Event\",\"userId\":\"user-" + thread + "-"
                + (messageId.hashCode() & 1023) + "\",\"messageId\":\"" + messageId
                + "\",\"properties\":{\"plan\":\"pro\",\"i\":" + i + ",\"pad\":\"" + pad + "\"}}";
    }
}
