package io.sightline.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Load generator for the ingest gateway: {@code --concurrency} threads, each on its own
 * keep-alive HTTP/1.1 connection ({@link KeepAliveConnection}), post events of about {@code --event-bytes} bytes, one per
 * request ({@code --batch-size 1}, {@code /v1/track}) or {@code --batch-size} per
 * {@code /v1/batch} request. Closed loop by default (as fast as answers come); with
 * {@code --rate} each thread keeps a fixed schedule and latency is measured from the
 * scheduled send time, so a stall is not hidden (no coordinated omission).
 *
 * <p>Prints one result line: events/s, requests/s, latency p50/p99/p99.9/max and any
 * status other than 200. Every count and loop is bounded by {@code --events}.
 */
public final class LoadGenerator {

    record Options(String url, String writeKey, int concurrency, int batchSize, int eventBytes, long events, long warmupEvents,
                   double rate, String label) {

        static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
                }
                a.put(args[i].substring(2), args[i + 1]);
            }
            return new Options(a.getOrDefault("url", "http://127.0.0.1:8080"), a.getOrDefault("write-key", "bench-key"),
                    Integer.parseInt(a.getOrDefault("concurrency", "32")), Integer.parseInt(a.getOrDefault("batch-size", "1")),
                    Integer.parseInt(a.getOrDefault("event-bytes", "300")), Long.parseLong(a.getOrDefault("events", "100000")),
                    Long.parseLong(a.getOrDefault("warmup-events", "10000")), Double.parseDouble(a.getOrDefault("rate", "0")),
                    a.getOrDefault("label", "run"));
        }
    }

    /** What a run measured. */
    public record Result(String label, long events, double seconds, long requests, Histogram latencyMicros, Map<Integer, Long> otherStatuses,
                         long errors) {

        double eventsPerSecond() {
            return events / seconds;
        }

        String line(Options o) {
            return String.format(Locale.ROOT,
                    "RESULT label=%s concurrency=%d batch=%d event_bytes=%d rate=%s events=%d seconds=%.2f events_per_s=%.0f requests_per_s=%.0f "
                            + "p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f other_statuses=%s errors=%d",
                    label, o.concurrency(), o.batchSize(), o.eventBytes(), o.rate() > 0 ? String.format(Locale.ROOT, "%.0f", o.rate()) : "max",
                    events, seconds, eventsPerSecond(), requests / seconds, ms(50), ms(99), ms(99.9),
                    latencyMicros.getMaxValue() / 1000.0, new TreeMap<>(otherStatuses), errors);
        }

        private double ms(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.warmupEvents() > 0) {
            run(o, o.warmupEvents(), "warmup");
        }
        Result result = run(o, o.events(), o.label());
        System.out.println(result.line(o));
        System.exit(result.otherStatuses().isEmpty() && result.errors() == 0 ? 0 : 2);
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "load");
        t.setDaemon(true);
        return t;
    }

    static Result run(Options o, long totalEvents, String phase) throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString((o.writeKey() + ":").getBytes(StandardCharsets.UTF_8));
        URI base = URI.create(o.url());
        String path = o.batchSize() == 1 ? "/v1/track" : "/v1/batch";
        long requestsPerThread = Math.max(1, totalEvents / o.batchSize() / o.concurrency());
        String pad = "x".repeat(Math.max(0, o.eventBytes() - 150));
        Map<Integer, Long> otherStatuses = new ConcurrentHashMap<>();
        AtomicLong errors = new AtomicLong();
        AtomicLong okEvents = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        long intervalNanos = o.rate() > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) * o.concurrency() * o.batchSize() / o.rate()) : 0;
        ExecutorService pool = Executors.newFixedThreadPool(o.concurrency(), LoadGenerator::daemon);
        List<Future<Histogram>> threads = new ArrayList<>();
        String runId = Long.toString(System.nanoTime(), 36) + "-" + phase;
        long start = System.nanoTime();
        for (int t = 0; t < o.concurrency(); t++) {
            int thread = t;
            long offset = intervalNanos * t / o.concurrency();
            threads.add(pool.submit(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
                KeepAliveConnection connection = new KeepAliveConnection(base);
                for (long n = 0; n < requestsPerThread; n++) {
                    long scheduled = intervalNanos > 0 ? start + offset + n * intervalNanos : System.nanoTime();
                    long wait = scheduled - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    String body = body(o.batchSize(), runId + "-" + thread + "-" + n, thread, pad);
                    try {
                        int status = connection.post(path, auth, body.getBytes(StandardCharsets.UTF_8));
                        if (status == 200) {
                            okEvents.addAndGet(o.batchSize());
                        } else {
                            otherStatuses.merge(status, 1L, Long::sum);
                        }
                    } catch (java.io.IOException e) {
                        errors.incrementAndGet();
                    }
                    requests.incrementAndGet();
                    h.recordValue(Math.min(h.getHighestTrackableValue(), TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - scheduled)));
                }
                connection.close();
                return h;
            }));
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        for (Future<Histogram> f : threads) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(phase, okEvents.get(), seconds, requests.get(), all, otherStatuses, errors.get());
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
        return "{\"type\":\"track\",\"event\":\"Bench Event\",\"userId\":\"user-" + thread + "-" + (messageId.hashCode() & 1023)
                + "\",\"messageId\":\"" + messageId + "\",\"properties\":{\"plan\":\"pro\",\"i\":" + i + ",\"pad\":\"" + pad + "\"}}";
    }
}
