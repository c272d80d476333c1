package io.sightline.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.concurrent.DaemonScheduler;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Paced load on the gateways, each request to the next gateway in turn, recording every
 * event sent and what the gateway answered: {@code ACKED} (200: Kafka acknowledged it),
 * {@code REJECTED} (4xx: never stored) or {@code AMBIGUOUS} (503, a timeout or a broken
 * connection: maybe stored). Events are not retried, so an event is in the raw topic at
 * most once unless the pipeline wrote it twice. The content is reproducible from the seed.
 */
public final class EventLoad implements AutoCloseable {

    /** One event as sent, with what the verifier needs to recount every metric. */
    public record SentEvent(
            String messageId, String event, String userId, long timestamp, long amount, long latencyMs) {}

    public enum Outcome {
        ACKED,
        REJECTED,
        AMBIGUOUS
    }

    static final List<String> NAMES = List.of("Viewed", "Clicked", "Signed Up", "Activated", "Purchased");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<List<String>> gateways;
    private final int batch;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ScheduledExecutorService timer = DaemonScheduler.singleThread("event-load");
    private final Map<String, SentEvent> sent = new ConcurrentHashMap<>();
    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final SplittableRandom random;
    private final String authorization;

    /**
     * @param gateways the gateways' base URLs, asked at every request (a restarted gateway keeps its URL)
     * @param batch events per request
     */
    public EventLoad(Supplier<List<String>> gateways, String writeKey, int batch, long seed) {
        this.gateways = gateways;
        this.batch = batch;
        this.random = new SplittableRandom(seed);
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code eventsPerSecond} events a second, in requests of {@code batch}, until {@link #stop()}. */
    public EventLoad start(double eventsPerSecond) {
        long periodMicros = Math.max(1, Math.round(1_000_000.0 * batch / eventsPerSecond));
        timer.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return this;
    }

    private void sendOne() {
        List<SentEvent> events = new ArrayList<>(batch);
        long now = System.currentTimeMillis();
        synchronized (random) {
            for (int i = 0; i < batch; i++) {
                long n = next.getAndIncrement();
                events.add(new SentEvent(
                        "rel-" + n,
                        NAMES.get(random.nextInt(NAMES.size())),
                        "user-" + random.nextInt(150),
                        now,
                        1 + random.nextInt(100),
                        5 + random.nextInt(995)));
            }
        }
        events.forEach(e -> sent.put(e.messageId(), e));
        send(events, gateways.get().size());
    }

    /**
     * Sends to the next gateway; a refused connection (a gateway restarting: nothing was sent)
     * goes on to the next one, as a load balancer would, until each has been tried.
     */
    private void send(List<SentEvent> events, int gatewaysLeft) {
        List<String> urls = gateways.get();
        String url = urls.get((int) (requests.getAndIncrement() % urls.size()));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url + "/v1/batch"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(events)))
                    .build();
        } catch (Exception e) {
            record(events, Outcome.AMBIGUOUS, "unsendable");
            return;
        }
        inFlight.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            inFlight.decrementAndGet();
            if (refused(error) && gatewaysLeft > 1) {
                answers.computeIfAbsent("refused, sent to the next gateway", a -> new AtomicLong())
                        .addAndGet(events.size());
                send(events, gatewaysLeft - 1);
            } else if (error != null) {
                record(events, Outcome.AMBIGUOUS, "io-error");
            } else if (response.statusCode() == 200) {
                record(events, Outcome.ACKED, "200");
            } else if (response.statusCode() >= 400 && response.statusCode() < 500) {
                record(events, Outcome.REJECTED, String.valueOf(response.statusCode()));
            } else {
                record(events, Outcome.AMBIGUOUS, String.valueOf(response.statusCode()));
            }
        });
    }

    private static boolean refused(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static String body(List<SentEvent> events) throws Exception {
        List<Map<String, Object>> items = new ArrayList<>();
        for (SentEvent e : events) {
            items.add(Map.of(
                    "type", "track",
                    "messageId", e.messageId(),
                    "event", e.event(),
                    "userId", e.userId(),
                    "timestamp", Instant.ofEpochMilli(e.timestamp()).toString(),
                    "properties", Map.of("amount", e.amount(), "latency_ms", e.latencyMs())));
        }
        return JSON.writeValueAsString(Map.of("batch", items));
    }

    private void record(List<SentEvent> events, Outcome outcome, String answer) {
        events.forEach(e -> outcomes.put(e.messageId(), outcome));
        answers.computeIfAbsent(answer, a -> new AtomicLong()).addAndGet(events.size());
    }

    /** Stops sending and waits (at most {@code timeout}) for the answers still due. */
    public void stop(Duration timeout) {
        timer.shutdownNow();
        try {
            org.awaitility.Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> inFlight.get() == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // left as they are: counted as ambiguous below
        }
        // No answer at all: the gateway may or may not have stored them.
        sent.keySet().forEach(id -> outcomes.putIfAbsent(id, Outcome.AMBIGUOUS));
    }

    public long acked() {
        return outcomes.values().stream().filter(o -> o == Outcome.ACKED).count();
    }

    public Collection<SentEvent> sent() {
        return sent.values();
    }

    public Outcome outcome(String messageId) {
        return outcomes.getOrDefault(messageId, Outcome.AMBIGUOUS);
    }

    /** Events by the gateway's answer: {@code 200}, {@code 503}, {@code io-error}, ... */
    public Map<String, Long> answers() {
        Map<String, Long> out = new TreeMap<>();
        answers.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
