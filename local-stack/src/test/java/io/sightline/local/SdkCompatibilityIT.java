package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.segment.analytics.kotlin.core.RequestFactory;
import com.segment.analytics.kotlin.core.compat.ConfigurationBuilder;
import com.segment.analytics.kotlin.core.compat.JavaAnalytics;
import com.sun.net.httpserver.HttpServer;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.TrackedEvent;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The tracking libraries users already send with, unmodified and pinned, pointed at the
 * local stack's gateway: every event they send is counted exactly on the serving API.
 * Browser libraries are bundled locally (no CDN: their settings are passed in) and run
 * in Chromium from a page on another origin, so CORS is part of the test; Node
 * libraries run in node; JVM libraries in this JVM. See docs/sdk-compatibility.md.
 */
class SdkCompatibilityIT {

    private static final String WRITE_KEY = "sdk-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    static Stack stack;
    static String gateway;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        stack = Stack.start(dataDir, Stack.Ports.ANY_FREE, WRITE_KEY, Duration.ofMinutes(2), line -> {});
        gateway = stack.url("ingest-gateway");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    // ---- Node ----

    @Test
    void segmentAnalyticsNode() throws Exception {
        String event = event("analytics-node");
        SdkProject.node("node/segment.mjs", gateway, WRITE_KEY, event, "40");
        assertCounted(event, 40);
    }

    @Test
    void rudderstackRudderSdkNode() throws Exception {
        String event = event("rudder-sdk-node");
        SdkProject.node("node/rudderstack.mjs", gateway, WRITE_KEY, event, "40");
        assertCounted(event, 40);
    }

    @Test
    void nodeLibrariesOnDevicesWhoseClocksAreTenMinutesOffAreCorrectedBySentAt() throws Exception {
        long tenMinutes = Duration.ofMinutes(10).toMillis();
        Map<String, Long> skews = Map.of("node/segment.mjs", tenMinutes, "node/rudderstack.mjs", -tenMinutes);
        for (Map.Entry<String, Long> library : skews.entrySet()) {
            String event = event("skewed " + library.getKey());
            SdkProject.nodeWithClockSkew(library.getValue(), library.getKey(), gateway, WRITE_KEY, event, "20");

            List<TrackedEvent> stored = StackRecords.read(
                    stack, Topics.EVENTS_RAW, TrackedEvent.class, e -> event.equals(e.getEvent()), 20);
            assertThat(stored).hasSize(20).allSatisfy(e -> {
                // the device's own times are ten minutes off; the event time is back on the gateway's clock
                assertThat(Duration.between(e.getReceivedAt(), e.getOriginalTimestamp())
                                .toMillis())
                        .isCloseTo(library.getValue(), org.assertj.core.data.Offset.offset(30_000L));
                assertThat(e.getClockSkewMs())
                        .isCloseTo(library.getValue(), org.assertj.core.data.Offset.offset(30_000L));
                assertThat(Duration.between(e.getTimestamp(), e.getReceivedAt()).abs())
                        .isLessThan(Duration.ofSeconds(30));
                assertThat(e.getTimeCorrection()).isNull();
            });
            assertCounted(event, 20);
        }
        assertThat(gatewayMetric("sightline_ingest_clock_corrections_total", "direction=\"ahead\"", "source=\"local\""))
                .isEqualTo(20);
        // behind: at least these 20 (a request delayed over a second in a loaded run counts too)
        assertThat(gatewayMetric(
                        "sightline_ingest_clock_corrections_total", "direction=\"behind\"", "source=\"local\""))
                .isGreaterThanOrEqualTo(20);
    }

    // ---- browser (Chromium, page on another origin) ----

    @Test
    void segmentAnalyticsNextSingleCalls() throws Exception {
        String event = event("analytics-next");
        inBrowser(
                "segment.js",
                "window.sendWithSegment({writeKey: '" + WRITE_KEY + "', apiHost: '" + hostAndPort() + "/v1', event: '"
                        + event + "', count: 12, batching: false})",
                () -> assertCounted(event, 12));
    }

    @Test
    void segmentAnalyticsNextBatching() throws Exception {
        String event = event("analytics-next-batching");
        inBrowser(
                "segment.js",
                "window.sendWithSegment({writeKey: '" + WRITE_KEY + "', apiHost: '" + hostAndPort() + "/v1', event: '"
                        + event + "', count: 25, batching: true})",
                () -> assertCounted(event, 25));
    }

    @Test
    void rudderstackAnalyticsJs() throws Exception {
        String event = event("rudderstack-analytics-js");
        inBrowser(
                "rudderstack.js",
                "window.sendWithRudderStack({writeKey: '" + WRITE_KEY + "', dataPlaneUrl: '" + gateway + "', event: '"
                        + event + "', count: 12})",
                () -> assertCounted(event, 12));
    }

    // ---- JVM ----

    @Test
    void segmentAnalyticsJava() {
        String event = event("analytics-java");
        AtomicInteger failed = new AtomicInteger();
        com.segment.analytics.Analytics analytics = com.segment.analytics.Analytics.builder(WRITE_KEY)
                .endpoint(gateway)
                .flushQueueSize(15)
                .flushInterval(1, TimeUnit.SECONDS)
                .callback(new com.segment.analytics.Callback() {
                    @Override
                    public void success(com.segment.analytics.messages.Message message) {}

                    @Override
                    public void failure(com.segment.analytics.messages.Message message, Throwable error) {
                        failed.incrementAndGet();
                    }
                })
                .build();
        for (int i = 0; i < 40; i++) {
            analytics.enqueue(com.segment.analytics.messages.TrackMessage.builder(event)
                    .userId("java-" + i % 7)
                    .properties(Map.of("i", i)));
        }
        analytics.flush();
        assertCounted(event, 40);
        analytics.shutdown();
        assertThat(failed).hasValue(0);
    }

    @Test
    void rudderstackAnalyticsJava() {
        String event = event("rudderstack-java");
        AtomicInteger failed = new AtomicInteger();
        com.rudderstack.sdk.java.analytics.RudderAnalytics analytics =
                com.rudderstack.sdk.java.analytics.RudderAnalytics.builder(WRITE_KEY)
                        .setDataPlaneUrl(gateway)
                        .flushQueueSize(15)
                        .flushInterval(1, TimeUnit.SECONDS)
                        .callback(new com.rudderstack.sdk.java.analytics.Callback() {
                            @Override
                            public void success(com.rudderstack.sdk.java.analytics.messages.Message message) {}

                            @Override
                            public void failure(
                                    com.rudderstack.sdk.java.analytics.messages.Message message, Throwable error) {
                                failed.incrementAndGet();
                            }
                        })
                        .build();
        for (int i = 0; i < 40; i++) {
            analytics.enqueue(com.rudderstack.sdk.java.analytics.messages.TrackMessage.builder(event)
                    .userId("rudder-java-" + i % 7)
                    .properties(Map.of("i", i)));
        }
        analytics.flush();
        assertCounted(event, 40);
        analytics.shutdown();
        assertThat(failed).hasValue(0);
    }

    @Test
    void segmentAnalyticsKotlinCore() {
        String event = event("analytics-kotlin");
        // Its CDN host is the gateway, which answers the source's settings naming itself (else the library
        // falls back to Segment's API). It speaks https only: its request factory is where transport is changed.
        RequestFactory plainHttp = new RequestFactory() {
            @Override
            public HttpURLConnection openConnection(String url) {
                return super.openConnection(url.replaceFirst("^https://", "http://"));
            }
        };
        JavaAnalytics analytics = new JavaAnalytics(new ConfigurationBuilder(WRITE_KEY)
                .setApplication("sightline-sdk-test")
                .setApiHost(hostAndPort() + "/v1")
                .setCdnHost(hostAndPort() + "/v1")
                .setFlushAt(15)
                .setFlushInterval(1)
                .setRequestFactory(plainHttp)
                .build());
        for (int i = 0; i < 40; i++) {
            analytics.track(event, Map.of("i", i));
        }
        analytics.flush();
        assertCounted(event, 40);
    }

    // ---- helpers ----

    private static String event(String library) {
        return "SDK " + library + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostAndPort() {
        return URI.create(gateway).getAuthority();
    }

    /**
     * Runs {@code call} (a script returning a promise) in Chromium, on a page served from
     * another origin than the gateway, and checks {@code counted} while the page is still
     * open (libraries send what they queued on their own schedule, as on a user's page).
     */
    private static void inBrowser(String bundle, String call, Runnable counted) throws IOException {
        Assumptions.assumeTrue(HeadlessChromium.installed(), "Chromium not installed: skipping the browser libraries");
        Path dist = SdkProject.bundles();
        HttpServer page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = path.equals("/")
                    ? ("<!doctype html><html><head><script src=\"/" + bundle
                                    + "\"></script></head><body>sdk test</body></html>")
                            .getBytes(StandardCharsets.UTF_8)
                    : Files.readAllBytes(dist.resolve(path.substring(1)));
            exchange.getResponseHeaders().add("Content-Type", path.endsWith(".js") ? "text/javascript" : "text/html");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        page.start();
        WebDriver browser = HeadlessChromium.start();
        try {
            // localhost for the page, 127.0.0.1 for the gateway: two origins
            browser.get("http://localhost:" + page.getAddress().getPort() + "/");
            browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
            Object result = ((JavascriptExecutor) browser)
                    .executeAsyncScript("const done = arguments[arguments.length - 1]; " + call
                            + ".then(done, e => done('failed: ' + e));");
            assertThat(result).isEqualTo("sent");
            counted.run();
        } finally {
            browser.quit();
            page.stop(0);
        }
    }

    /** The serving API counts exactly {@code expected} events named {@code event}, and stays there. */
    private static void assertCounted(String event, int expected) {
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(counted(event)).isEqualTo(expected));
        // no late duplicates from a library's retries: still exact a moment later
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(counted(event)).isEqualTo(expected));
    }

    /** The gateway's Prometheus sample of {@code name} whose labels include every one of {@code labels}, 0 when none. */
    private static double gatewayMetric(String name, String... labels) throws Exception {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(gateway + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines()
                .filter(l -> l.startsWith(name + "{")
                        && java.util.Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static double counted(String event) throws Exception {
        String query = "/v1/metrics/event_count?event=" + URLEncoder.encode(event, StandardCharsets.UTF_8) + "&from="
                + Instant.now().minus(Duration.ofMinutes(30)) + "&to="
                + Instant.now().plus(Duration.ofMinutes(5));
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("serving-api") + query))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 404) {
            return 0;
        }
        double sum = 0;
        for (JsonNode series : JSON.readTree(answer.body()).get("series")) {
            for (JsonNode point : series.get("points")) {
                sum += point.get("value").asDouble();
            }
        }
        return sum;
    }
}
