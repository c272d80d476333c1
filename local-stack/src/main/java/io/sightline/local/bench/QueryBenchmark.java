package io.sightline.local.bench;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Query load against a running serving API: point lookups (one series, one minute)
 * or range queries (one series, the last 60 windows) from several closed-loop
 * workers, reporting queries/s and latency percentiles. Run it while ingest runs
 * (the local stack with {@code --demo}, or {@code --ingest-url}).
 */
@Command(name = "query-benchmark", mixinStandardHelpOptions = true, description = "Measures serving-api query throughput and latency.")
public final class QueryBenchmark implements Callable<Integer> {

    @Option(names = "--serving-url", defaultValue = "http://localhost:8081")
    String servingUrl;

    @Option(names = "--ingest-url", description = "Gateway to keep posting batches of 100 events to during the run (optional).")
    String ingestUrl;

    @Option(names = "--write-key", defaultValue = "local-dev-key")
    String writeKey;

    @Option(names = "--kind", defaultValue = "point", description = "point (one minute of one series) or range (60 minutes of one series).")
    String kind;

    @Option(names = "--concurrency", defaultValue = "8")
    int concurrency;

    @Option(names = "--duration", defaultValue = "PT30S")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "PT5S")
    Duration warmup;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(concurrency)).build();
        List<String> series = seriesOf(http);
        if (series.isEmpty()) {
            System.err.println("No event_count series on " + servingUrl + " yet: start the local stack with --demo and wait a minute");
            return 1;
        }
        ExecutorService ingest = Executors.newSingleThreadExecutor();
        AtomicLong ingested = new AtomicLong();
        if (ingestUrl != null) {
            ingest.submit(() -> postLoop(http, ingested));
        }
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        long warmupEnd = System.nanoTime() + warmup.toNanos();
        long end = warmupEnd + duration.toNanos();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            running.add(workers.submit(() -> {
                while (System.nanoTime() < end) {
                    String event = series.get(ThreadLocalRandom.current().nextInt(series.size()));
                    Instant now = Instant.now();
                    Instant from = kind.equals("range") ? now.minus(Duration.ofMinutes(60)) : now.minus(Duration.ofMinutes(1));
                    URI uri = URI.create(servingUrl + "/v1/metrics/event_count?event=" + encode(event) + "&from=" + from + "&to=" + now);
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    if (start > warmupEnd) {
                        recorder.recordValue((System.nanoTime() - start) / 1_000);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        workers.shutdown();
        ingest.shutdownNow();
        Histogram h = recorder.getIntervalHistogram();
        double seconds = duration.toNanos() / 1e9;
        System.out.printf(Locale.ROOT, "kind=%s concurrency=%d series=%d queries=%d errors=%d qps=%.0f p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms ingested=%d%n",
                kind, concurrency, series.size(), h.getTotalCount(), errors.get(), h.getTotalCount() / seconds,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0, ingested.get());
        return 0;
    }

    private List<String> seriesOf(HttpClient http) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(servingUrl + "/v1/metrics/event_count")).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> events = new ArrayList<>();
        if (r.statusCode() == 200) {
            for (JsonNode s : Json.MAPPER.readTree(r.body()).path("series")) {
                events.add(s.path("dimensions").path("event").asText());
            }
        }
        return events;
    }

    private Void postLoop(HttpClient http, AtomicLong ingested) {
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        while (!Thread.currentThread().isInterrupted()) {
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 100; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"Bench Event ").append(i % 10)
                        .append("\",\"userId\":\"bench-").append(i).append("\"}");
            }
            batch.append("]}");
            try {
                http.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/v1/batch")).header("Authorization", auth)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(),
                        HttpResponse.BodyHandlers.discarding());
                ingested.addAndGet(100);
            } catch (InterruptedException e) {
                return null;
            } catch (Exception e) {
                // keep loading; the benchmark reports query errors, not ingest errors
            }
        }
        return null;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new QueryBenchmark());
        cli.registerConverter(Duration.class, Duration::parse);
        System.exit(cli.execute(args));
    }
}
