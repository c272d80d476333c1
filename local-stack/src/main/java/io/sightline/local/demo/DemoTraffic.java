package io.sightline.local.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts a believable stream of product events to the gateway so the dashboards have
 * something to show: page views, sign-ups, checkouts, identify calls, and now and then
 * a burst of errors for the anomaly detector to find.
 */
public final class DemoTraffic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoTraffic.class);
    private static final List<String> EVENTS = List.of(
            "Product Viewed",
            "Product Viewed",
            "Product Viewed",
            "Added To Cart",
            "Signed Up",
            "Checkout Completed",
            "Search Performed");
    private static final Duration TICK = Duration.ofMillis(500);

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI batchUri;
    private final String authorization;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;

    public DemoTraffic(String gatewayUrl, String writeKey) {
        this.batchUri = URI.create(gatewayUrl + "/v1/batch");
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        this.thread = new Thread(this::run, "demo-traffic");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
        log.info("Demo traffic: posting events to {} every {} ms", batchUri, TICK.toMillis());
    }

    private void run() {
        long tick = 0;
        while (running) {
            try {
                // Every tenth minute, errors burst: something for the anomaly detector.
                boolean burst = Instant.now().getEpochSecond() / 60 % 10 == 9;
                post(batch(burst));
                if (++tick % 120 == 0) {
                    log.info("Demo traffic: {} events sent", sent.get());
                }
                Thread.sleep(TICK.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.warn("Demo traffic: gateway did not take a batch ({}); retrying", e.getMessage());
            }
        }
    }

    private String batch(boolean burst) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder items = new StringBuilder();
        int n = 3 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            String user = "user-" + random.nextInt(200);
            String event = burst && random.nextInt(3) == 0 ? "Error Shown" : EVENTS.get(random.nextInt(EVENTS.size()));
            if (items.length() > 0) {
                items.append(',');
            }
            if (random.nextInt(40) == 0) {
                items.append(String.format(
                        Locale.ROOT,
                        "{\"type\":\"identify\",\"userId\":\"%s\",\"messageId\":\"%s\",\"traits\":{\"plan\":\"%s\"}}",
                        user,
                        UUID.randomUUID(),
                        random.nextBoolean() ? "pro" : "free"));
            } else {
                items.append(String.format(
                        Locale.ROOT,
                        "{\"type\":\"track\",\"event\":\"%s\",\"userId\":\"%s\",\"messageId\":\"%s\",\"properties\":{\"latency_ms\":%d}}",
                        event,
                        user,
                        UUID.randomUUID(),
                        20 + random.nextInt(300)));
            }
        }
        sent.addAndGet(n);
        return "{\"batch\":[" + items + "],\"context\":{\"library\":{\"name\":\"sightline-demo\",\"version\":\"1\"}}}";
    }

    private void post(String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(batchUri)
                        .header("Content-Type", "application/json")
                        .header("Authorization", authorization)
                        .timeout(Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            log.warn("Demo traffic: gateway answered {}: {}", response.statusCode(), response.body());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
