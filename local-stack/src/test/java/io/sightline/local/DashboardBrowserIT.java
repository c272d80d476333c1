package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.PlanViolation;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium, fed through the whole pipeline: events
 * posted to the gateway show as a chart, and a spike raises an alert that appears on
 * the page; the data-quality view shows drops per source and lag per pipeline stage. Skipped, saying why, where Chromium and its driver are not installed.
 */
class DashboardBrowserIT {

    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    @TempDir
    static Path dataDir;

    static Stack stack;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(
                HeadlessChromium.installed(),
                "Chromium not installed: skipping the dashboard browser test (install Debian's chromium and chromium-driver to run it)");
        stack = Stack.start(dataDir, Stack.Ports.ANY_FREE, "browser-key", Duration.ofMinutes(2), line -> {});
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldShowTheChartAndAnAlertForASpikePostedThroughTheGateway() throws Exception {
        // Six quiet minutes of checkouts, then a burst in the current minute.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        int[] quiet = {8, 10, 12, 9, 11, 10};
        for (int m = 0; m < quiet.length; m++) {
            postCheckouts(now.minus(Duration.ofMinutes(quiet.length - m)).plusSeconds(20), quiet[m]);
        }
        postCheckouts(now.plusSeconds(1), 80);
        HttpResponse<String> rejected = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/track"))
                        .header("Content-Type", "application/json")
                        .header("X-Write-Key", "browser-key")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"shopper\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rejected.statusCode()).isEqualTo(400);

        // The pipeline's data-quality series (drops per source, lag per stage), written as the processors write them.
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        writeWindows(
                window(
                        "late_events",
                        Map.of("source", "browser-test-web", "metric", "events_by_source"),
                        minute.minus(Duration.ofMinutes(2)),
                        1),
                window("late_events", Map.of("source", "browser-test-web", "metric", "events_by_source"), minute, 2),
                window("duplicate_events", Map.of("source", "browser-test-web"), minute, 5),
                window("duplicate_events", Map.of("source", "browser-test-ios"), minute, 2),
                window(
                        "pipeline_lag_seconds",
                        Map.of("stage", "browser-test-slow"),
                        minute.minus(Duration.ofMinutes(1)),
                        2),
                window("pipeline_lag_seconds", Map.of("stage", "browser-test-slow"), minute, 300),
                window(
                        "pipeline_lag_seconds",
                        Map.of("stage", "browser-test-quick"),
                        minute.minus(Duration.ofMinutes(1)),
                        240),
                window("pipeline_lag_seconds", Map.of("stage", "browser-test-quick"), minute, 1.5));
        // A tracking-plan violation, as the gateway records one.
        writeViolation(QualityViolation.newBuilder()
                .setSource("browser-test-web")
                .setMessageId("violating-1")
                .setEventType(EventType.track)
                .setEventName("Order Completed")
                .setTrackingPlan("web")
                .setTrackingPlanVersion(1)
                .setViolation(PlanViolation.newBuilder()
                        .setViolationType("type_mismatch")
                        .setPath("properties.total")
                        .setExpected("number")
                        .setActual("string \"9.99\"")
                        .setMessage("properties.total: expected number, got string \"9.99\"")
                        .setAction("flag")
                        .build())
                .setReceivedAt(Instant.now())
                .build());

        WebDriver browser = HeadlessChromium.start();
        try {
            browser.get(stack.url("serving-api") + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90), Duration.ofMillis(500));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart path.series")));
            // The alert arrives over the live stream, without a reload.
            By checkoutAlert =
                    By.xpath("//ul[@id='alerts']/li[contains(@class,'firing') and contains(., 'Checkout Completed')]");
            wait.until(ExpectedConditions.presenceOfElementLocated(checkoutAlert));

            String alertText = browser.findElement(checkoutAlert).getText();
            assertThat(alertText).contains("FIRING").contains("event_count").contains("above");
            // The page switches to events by name once that metric has data; wait for the chart to show it.
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("legend"), "Checkout Completed"));
            assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live: on");

            // The data-quality view: events per source, and the rejected event with its reason.
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sources"), "local"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rejects"), "missing_field"));
            assertThat(browser.findElement(By.id("rejects")).getText())
                    .contains("local")
                    .contains("ingest-gateway");

            // Tracking-plan violations by source, event, type and path.
            awaitTexts(
                    browser,
                    wait,
                    "#violations tbody td",
                    "browser-test-web",
                    "Order Completed",
                    "type_mismatch",
                    "properties.total",
                    "1");

            // Late and duplicate drops per source next to volume and rejects, "no data" where a series is absent.
            // (The view re-renders every 10 s, so rows are read in one script call, never element by element.)
            awaitTexts(
                    browser,
                    wait,
                    "#sources tr[data-source='browser-test-web'] td",
                    "browser-test-web",
                    "no data",
                    "no data",
                    "0",
                    "3",
                    "5");
            awaitTexts(
                    browser,
                    wait,
                    "#sources tr[data-source='browser-test-ios'] td",
                    "browser-test-ios",
                    "no data",
                    "no data",
                    "0",
                    "no data",
                    "2");
            wait.until(d -> texts(d, "#sources tr[data-source='local'] td.volume").stream()
                    .anyMatch(t -> t.matches("\\d+")));

            // Freshness per pipeline stage: the newest minute's lag, healthy or behind, and "no data" for a stage
            // nobody reported.
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#stages li.healthy[data-stage='browser-test-quick']")));
            List<String> stages = texts(browser, "#stages li");
            assertThat(stages).contains("browser-test-quick 1.5 s healthy", "browser-test-slow 300 s behind");
            assertThat(stages.subList(0, 3))
                    .allSatisfy(stage -> assertThat(stage).matches("sightline-(enrich|aggregate|anomaly) .*"));
            assertThat(stages).allSatisfy(stage -> assertThat(stage).matches(".* (healthy|behind|no data)"));

            Files.createDirectories(SCREENSHOT.getParent());
            Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    /** The trimmed text of every element matching {@code css}, read in one go. */
    @SuppressWarnings("unchecked")
    private static List<String> texts(WebDriver browser, String css) {
        return (List<String>) ((JavascriptExecutor) browser)
                .executeScript(
                        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim().replace(/\\s+/g, ' '))",
                        css);
    }

    private static void awaitTexts(WebDriver browser, WebDriverWait wait, String css, String... expected) {
        try {
            wait.until(d -> texts(d, css).equals(List.of(expected)));
        } catch (TimeoutException e) {
            assertThat(texts(browser, css)).as(css).containsExactly(expected);
        }
    }

    private static MetricWindow window(String metric, Map<String, String> dimensions, Instant start, double value) {
        return MetricWindow.newBuilder()
                .setMetric(metric)
                .setDimensions(dimensions)
                .setWindowStart(start)
                .setWindowEnd(start.plus(Duration.ofMinutes(1)))
                .setValue(value)
                .setUpdatedAt(Instant.now())
                .build();
    }

    /** Writes metric windows to the stack's metrics topic with the topic's own serdes, keyed by series. */
    private static void writeViolation(QualityViolation violation) throws Exception {
        Topic<String, QualityViolation> topic =
                new Topics(new RestSchemaRegistryClient(stack.url("schema-registry"))).qualityViolations();
        try (KafkaProducer<String, QualityViolation> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all"),
                topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), violation.getSource(), violation))
                    .get();
        }
    }

    private static void writeWindows(MetricWindow... windows) throws Exception {
        Topic<String, MetricWindow> topic =
                new Topics(new RestSchemaRegistryClient(stack.url("schema-registry"))).metricsWindowed();
        try (KafkaProducer<String, MetricWindow> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", stack.bootstrapServers(), "acks", "all"),
                topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (MetricWindow w : windows) {
                producer.send(new ProducerRecord<>(
                                topic.name(),
                                SeriesKey.of(w.getMetric(), w.getDimensions()).toString(),
                                w))
                        .get();
            }
        }
    }

    private static void postCheckouts(Instant at, int count) throws IOException, InterruptedException {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add("{\"type\":\"track\",\"event\":\"Checkout Completed\",\"userId\":\"shopper\",\"messageId\":\""
                    + UUID.randomUUID() + "\",\"timestamp\":\"" + at.plusMillis(i * 100L) + "\"}");
        }
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("ingest-gateway") + "/v1/batch"))
                        .header("Content-Type", "application/json")
                        .header("X-Write-Key", "browser-key")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"batch\":[" + String.join(",", items) + "]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
