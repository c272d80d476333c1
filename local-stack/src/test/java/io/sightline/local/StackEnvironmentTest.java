package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.ingest.GatewayConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded stack takes every setting from the environment, as a deployment does, except what it decides per service. */
class StackEnvironmentTest {

    private static final Map<String, String> PROCESS_ENV = Map.of(
            "SIGHTLINE_METRICS_DEFINITIONS_FILE", "/etc/sightline/metrics.yaml",
            "SIGHTLINE_WRITE_KEYS", "web-key:web,ios-key:ios",
            "SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND", "500",
            "SIGHTLINE_HTTP_PORT", "9999",
            "SIGHTLINE_STATE_DIR", "/elsewhere",
            "SIGHTLINE_APPLICATION_ID", "one-for-all",
            "SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", "remote:9092",
            "PATH", "/usr/bin");

    @Test
    void shouldPassEverySettingToEveryServiceAndKeepWhatTheStackDecidesPerService() {
        Map<String, String> gateway = Stack.serviceEnv(
                PROCESS_ENV,
                "127.0.0.1:19092",
                "http://127.0.0.1:18090",
                18080,
                Path.of("/data"),
                "ingest-gateway",
                Map.of("SIGHTLINE_WRITE_KEYS", "local-dev-key:local"));
        Map<String, String> aggregate = Stack.serviceEnv(
                PROCESS_ENV,
                "127.0.0.1:19092",
                "http://127.0.0.1:18090",
                18083,
                Path.of("/data"),
                "aggregate-processor",
                Map.of());

        // the user's settings reach the services that declare them, the user's write keys win over the stack's default
        // one
        assertThat(new GatewayConfig(gateway).sourcesByWriteKey())
                .isEqualTo(Map.of("web-key", "web", "ios-key", "ios"));
        assertThat(new GatewayConfig(gateway).rateLimitEventsPerSecond()).isEqualTo(500.0);
        assertThat(aggregate).containsEntry("SIGHTLINE_METRICS_DEFINITIONS_FILE", "/etc/sightline/metrics.yaml");
        new AggregateConfig(aggregate); // settings of other services do not stop it
        // what the stack decides per service stays its own
        assertThat(aggregate)
                .containsEntry("SIGHTLINE_HTTP_PORT", "18083")
                .containsEntry("SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
                .containsEntry(
                        "SIGHTLINE_STATE_DIR",
                        Path.of("/data", "state", "aggregate-processor").toString())
                .doesNotContainKeys("SIGHTLINE_APPLICATION_ID", "PATH");
    }
}
