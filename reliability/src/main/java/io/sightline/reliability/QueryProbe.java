package io.sightline.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.concurrent.DaemonScheduler;
import io.sightline.schemas.SeriesKey;
import io.sightline.testkit.HttpChecks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Queries the serving replicas in turn throughout a run, as a dashboard would, and keeps
 * what they answered: the count of answers by status ({@code 200}, {@code 503} with
 * {@code Retry-After}, anything else by its code; {@code unreachable} when nothing listens,
 * as while a replica restarts) and, per series window, the largest count answered. A count
 * above what the verifier recounts at the end is a wrong number: below it is only lag.
 */
public final class QueryProbe implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<List<String>> replicas;
    private final String metric;
    private final Instant from;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = DaemonScheduler.singleThread("query-probe");
    private final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final Map<String, Double> largestAnswered = new ConcurrentHashMap<>();
    private final AtomicLong asked = new AtomicLong();

    /** @param metric a count metric with the single dimension {@code event} */
    public QueryProbe(Supplier<List<String>> replicas, String metric, Instant from) {
        this.replicas = replicas;
        this.metric = metric;
        this.from = from;
    }

    public QueryProbe start(Duration every) {
        timer.scheduleWithFixedDelay(this::askOne, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Whether the first replica answers 200 now: the metric is known (the serving API learns a
     * metric from its first window, and answers 404 before).
     */
    public boolean answersNow() {
        List<String> urls = replicas.get();
        return !urls.isEmpty() && HttpChecks.answersOk(http, query(urls.get(0)), Duration.ofSeconds(5));
    }

    private URI query(String replica) {
        return URI.create(replica + "/v1/metrics/" + metric + "?groupBy=event&top=100&from=" + from + "&to="
                + Instant.now().plusSeconds(120));
    }

    private void askOne() {
        List<String> urls = replicas.get();
        if (urls.isEmpty()) {
            return;
        }
        String url = urls.get((int) (asked.getAndIncrement() % urls.size()));
        URI uri = query(url);
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = answer.statusCode();
            if (status == 200) {
                count("200");
                remember(JSON.readTree(answer.body()));
            } else if (status == 503) {
                count(answer.headers().firstValue("Retry-After").isPresent() ? "503" : "503 without Retry-After");
            } else {
                count(String.valueOf(status));
            }
        } catch (java.net.ConnectException e) {
            count("unreachable");
        } catch (java.net.http.HttpTimeoutException e) {
            count("timeout");
        } catch (IOException e) {
            count("io-error");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void remember(JsonNode answer) {
        for (JsonNode series : answer.path("series")) {
            String event = series.path("dimensions").path("event").asText();
            String key = SeriesKey.of(metric, Map.of("event", event)).toString();
            for (JsonNode point : series.path("points")) {
                long start = Instant.parse(point.path("start").asText()).toEpochMilli();
                largestAnswered.merge(key + "@" + start, point.path("value").asDouble(), Math::max);
            }
        }
    }

    private void count(String status) {
        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    /** Answers by status. */
    public Map<String, Long> statuses() {
        Map<String, Long> out = new TreeMap<>();
        statuses.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The largest value answered per series window ({@code key@startMillis}). */
    public Map<String, Double> largestAnswered() {
        return Map.copyOf(largestAnswered);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
