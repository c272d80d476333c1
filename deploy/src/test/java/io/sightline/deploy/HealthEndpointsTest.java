package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.config.ServiceConfig;
import io.sightline.common.health.HealthCheck;
import io.sightline.common.http.HttpService;
import io.sightline.common.metrics.ServiceMetrics;
import io.sightline.registry.RegistryConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The paths the chart, the compose file and the image's HEALTHCHECK probe are the ones every
 * service's HTTP server answers, and they answer what the orchestrator needs to hear.
 */
class HealthEndpointsTest {

    /** Any service's settings: the HTTP server on a free port of the loopback interface. */
    private static final ServiceConfig SETTINGS =
            new RegistryConfig(Map.of("SIGHTLINE_HTTP_HOST", "127.0.0.1", "SIGHTLINE_HTTP_PORT", "0"));

    static final String LIVE = "/health/live";
    static final String READY = "/health/ready";
    static final String METRICS = "/metrics";

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void shouldAnswerLivenessReadinessAndMetricsOnTheServicePort() throws Exception {
        try (HttpService http = HttpService.start(
                "probe-test", SETTINGS, ServiceMetrics.create("probe-test"), health(true, true), cfg -> {})) {
            assertThat(status(http, LIVE)).isEqualTo(200);
            assertThat(status(http, READY)).isEqualTo(200);
            assertThat(status(http, METRICS)).isEqualTo(200);
        }
    }

    @Test
    void shouldAnswerNotReadyButLiveWhileRebalancing() throws Exception {
        try (HttpService http = HttpService.start(
                "probe-test", SETTINGS, ServiceMetrics.create("probe-test"), health(true, false), cfg -> {})) {
            assertThat(status(http, LIVE)).isEqualTo(200);
            assertThat(status(http, READY)).isEqualTo(503);
        }
    }

    @Test
    void shouldPassTheImagesHealthcheckOnlyWhenReady() throws Exception {
        try (HttpService ready = HttpService.start(
                        "probe-test", SETTINGS, ServiceMetrics.create("probe-test"), health(true, true), cfg -> {});
                HttpService rebalancing = HttpService.start(
                        "probe-test", SETTINGS, ServiceMetrics.create("probe-test"), health(true, false), cfg -> {})) {
            assertThat(healthcheck(ready.port())).isZero();
            assertThat(healthcheck(rebalancing.port())).isNotZero();
        }
    }

    /** Runs deploy/docker/bin/healthcheck, as Docker's HEALTHCHECK does, and returns its exit code. */
    private static int healthcheck(int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        "bash",
                        Manifests.REPO.resolve("deploy/docker/bin/healthcheck").toString())
                .redirectErrorStream(true);
        builder.environment().put("SIGHTLINE_HTTP_PORT", Integer.toString(port));
        Process process = builder.start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS))
                .as("healthcheck finished")
                .isTrue();
        return process.exitValue();
    }

    private int status(HttpService http, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .GET()
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HealthCheck health(boolean live, boolean ready) {
        return new HealthCheck() {
            @Override
            public boolean isLive() {
                return live;
            }

            @Override
            public boolean isReady() {
                return ready;
            }
        };
    }
}
