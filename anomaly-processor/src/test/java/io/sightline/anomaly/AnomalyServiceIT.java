package io.sightline.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.anomaly.topology.AnomalyTopology;
import io.sightline.common.service.StreamsService;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.SeriesHistory;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The anomaly processor on a real broker: baselines survive a restart on an empty disk (restored from the changelog). */
class AnomalyServiceIT {

    private static final Map<String, String> CHECKOUT = Map.of("event", "Checkout");
    private static final String KEY = SeriesKey.of("event_count", CHECKOUT).toString();

    @TempDir
    Path dir;

    @Test
    void shouldKeepBaselinesAcrossARestartAndAlertWithoutLearningAgain() throws Exception {
        // Recent windows: the producer stamps records with the current time, and stream time that runs far
        // ahead of a series' windows counts its missing windows as zero.
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"))) {
            try (StreamsService first =
                    AnomalyService.start(new AnomalyConfig(env.serviceEnv(dir.resolve("state-1"), Map.of())))) {
                for (int i = 0; i < 10; i++) {
                    env.produce(Topics.METRICS_WINDOWED, KEY, window(t0, i, 10 + i % 2));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> windowsKept(first) >= 10);
            }

            // A new instance on an empty state directory: the baseline can only come from the changelog.
            try (StreamsService second =
                    AnomalyService.start(new AnomalyConfig(env.serviceEnv(dir.resolve("state-2"), Map.of())))) {
                env.produce(Topics.METRICS_WINDOWED, KEY, window(t0, 10, 80));

                var alerts = env.readUntil(
                        Topics.ALERTS,
                        Alert.class,
                        Duration.ofSeconds(60),
                        r -> r.value().getStatus() == AlertStatus.firing);
                Alert firing = alerts.get(alerts.size() - 1).value();
                assertThat(firing.getDimensions()).isEqualTo(CHECKOUT);
                assertThat(firing.getExpected())
                        .as("the baseline of 10s and 11s, not a learning series")
                        .isBetween(10.0, 11.0);
                assertThat(firing.getObserved()).isEqualTo(80.0);
                assertThat(firing.getWindowStart()).isEqualTo(t0.plus(Duration.ofMinutes(10)));
                assertThat(second.app().state().isRunningOrRebalancing()).isTrue();
                String view =
                        get("http://127.0.0.1:" + second.httpPort() + "/v1/series?metric=event_count&event=Checkout");
                assertThat(view).contains("\"learning\":false").contains("\"anomaly\"");
            }
        }
    }

    /** The answer once it is 200: a rebalance after the restart may answer 503 (retry shortly) for a moment. */
    private static String get(String url) {
        var client = java.net.http.HttpClient.newHttpClient();
        var request =
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build();
        var answer = new java.util.concurrent.atomic.AtomicReference<String>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            answer.set(response.body());
        });
        return answer.get();
    }

    private static int windowsKept(StreamsService service) {
        try {
            ReadOnlyKeyValueStore<String, SeriesHistory> store = service.app()
                    .streams()
                    .store(StoreQueryParameters.fromNameAndType(
                            AnomalyTopology.HISTORY_STORE, QueryableStoreTypes.keyValueStore()));
            SeriesHistory h = store.get(KEY);
            return h == null ? 0 : h.getWindowStarts().size();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    private static MetricWindow window(Instant t0, int minute, double value) {
        Instant start = t0.plus(Duration.ofMinutes(minute));
        return MetricWindow.newBuilder()
                .setMetric("event_count")
                .setDimensions(CHECKOUT)
                .setWindowStart(start)
                .setWindowEnd(start.plus(Duration.ofMinutes(1)))
                .setValue(value)
                .setUpdatedAt(start)
                .build();
    }
}
