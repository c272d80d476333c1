package io.sightline.anomaly.forwarding;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alert state changes to an Alertmanager ({@code POST /api/v2/alerts}) or a
 * generic webhook, so existing paging works unchanged. Alerts wait in a bounded queue
 * (when it is full the newest is dropped and counted, rather than slowing detection)
 * and are posted in batches by one thread, with exponential backoff on connection
 * errors, 429 and 5xx, up to {@code maxRetries}; other 4xx answers are not retried.
 * Alertmanager deduplicates by labels, so a resend after a retried Streams
 * transaction is harmless.
 */
public final class AlertForwarder implements AutoCloseable {

    /** Payload shape. */
    public enum Format {
        ALERTMANAGER,
        WEBHOOK
    }

    private static final Logger log = LoggerFactory.getLogger(AlertForwarder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 100;

    private final URI url;
    private final Format format;
    private final int maxRetries;
    private final Duration backoff;
    private final Duration timeout;
    private final BlockingQueue<Alert> queue;
    private final HttpClient http;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;

    public AlertForwarder(URI url, Format format, int queueSize, int maxRetries, Duration timeout, Duration backoff) {
        this.url = url;
        this.format = format;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.timeout = timeout;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.sender = new Thread(this::run, "alert-forwarder");
        this.sender.setDaemon(true);
    }

    public AlertForwarder start() {
        sender.start();
        return this;
    }

    /** Queues an alert; false (and counted as dropped) when the queue is full. */
    public boolean offer(Alert alert) {
        if (queue.offer(alert)) {
            return true;
        }
        dropped.incrementAndGet();
        log.warn(
                "Alert forwarding queue is full ({} alerts); dropped one (SIGHTLINE_ALERT_FORWARD_QUEUE_SIZE)",
                queue.size());
        return false;
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public int queued() {
        return queue.size();
    }

    private void run() {
        while (running) {
            try {
                Alert first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Alert> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void send(List<Alert> batch) throws InterruptedException {
        String body = body(batch);
        for (int attempt = 0; ; attempt++) {
            String problem;
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(url)
                                .timeout(timeout)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                int code = response.statusCode();
                if (code / 100 == 2) {
                    sent.addAndGet(batch.size());
                    return;
                }
                problem = "HTTP " + code;
                if (code / 100 == 4 && code != 429) {
                    failed.addAndGet(batch.size());
                    log.error(
                            "Alert receiver {} refused {} alerts with {}; not retrying (check SIGHTLINE_ALERT_FORWARD_URL and _FORMAT)",
                            url,
                            batch.size(),
                            problem);
                    return;
                }
            } catch (IOException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (attempt >= maxRetries) {
                failed.addAndGet(batch.size());
                log.error(
                        "Gave up forwarding {} alerts to {} after {} attempts: {}",
                        batch.size(),
                        url,
                        attempt + 1,
                        problem);
                return;
            }
            long wait = backoff.toMillis() * (1L << Math.min(attempt, 10));
            log.warn(
                    "Forwarding {} alerts to {} failed ({}); retry {} of {} in {} ms",
                    batch.size(),
                    url,
                    problem,
                    attempt + 1,
                    maxRetries,
                    wait);
            Thread.sleep(wait);
        }
    }

    String body(List<Alert> batch) {
        ArrayNode alerts = JSON.createArrayNode();
        for (Alert a : batch) {
            ObjectNode n = alerts.addObject();
            if (format == Format.WEBHOOK) {
                n.put("status", a.getStatus().name());
                n.put("fingerprint", a.getFingerprint());
            }
            n.set("labels", JSON.valueToTree(a.getLabels()));
            n.set("annotations", JSON.valueToTree(a.getAnnotations()));
            n.put("startsAt", a.getStartsAt().toString());
            if (a.getEndsAt() != null) {
                n.put("endsAt", a.getEndsAt().toString());
            }
            if (format == Format.WEBHOOK) {
                n.put("metric", a.getMetric());
                n.put("observed", a.getObserved());
                n.put("expected", a.getExpected());
                n.put("lower", a.getLower());
                n.put("upper", a.getUpper());
                n.put("score", a.getScore());
                n.put("confidence", a.getConfidence());
                n.put("detector", a.getDetector());
                n.put("rule", a.getRule());
                n.put("explanation", a.getExplanation());
            }
        }
        if (format == Format.ALERTMANAGER) {
            return alerts.toString();
        }
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("version", "4");
        envelope.put(
                "status", batch.stream().anyMatch(a -> a.getStatus() == AlertStatus.firing) ? "firing" : "resolved");
        envelope.put("receiver", "sightline");
        envelope.set("alerts", alerts);
        return envelope.toString();
    }

    public static Format format(String name) {
        return Format.valueOf(name.toUpperCase(Locale.ROOT));
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
        try {
            sender.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
