package io.sightline.aggregate.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricDefinitionsTest {

    @Test
    void shouldLoadTheShippedDefaults() {
        MetricDefinitions defaults = MetricDefinitions.defaults();

        assertThat(defaults.metrics())
                .extracting(MetricDefinition::name)
                .contains(
                        "event_count",
                        "events_by_source",
                        "active_users",
                        "sessions",
                        "signup_activation_rate",
                        "signup_funnel",
                        "error_rate",
                        "latency_ms");
        assertThat(defaults.get("event_count").windows()).containsExactly("1m", "1h");
    }

    @Test
    void shouldNameTheLineOfAnUnknownMeasureType() {
        String yaml = """
                metrics:
                  - name: fine
                    measure: {type: count}
                  - name: broken
                    measure: {type: median}
                """;

        assertThatThrownBy(() -> MetricDefinitions.parse(yaml, "metrics.yaml"))
                .hasMessageContaining("metrics.yaml, line 5")
                .hasMessageContaining("measure type 'median' is not one of");
    }

    @Test
    void shouldNameTheMetricWhoseRatioRefersToAnUnknownMetric() {
        String yaml = """
                metrics:
                  - {name: errors, filter: {event: Error}, measure: {type: count}}
                  - {name: error_rate, measure: {type: ratio, numerator: errors, denominator: everything}}
                """;

        assertThatThrownBy(() -> MetricDefinitions.parse(yaml, "metrics.yaml"))
                .hasMessageContaining("metrics[1] 'error_rate': ratio refers to unknown metric 'everything'");
    }

    @Test
    void shouldRejectAnUnknownDimensionNamingTheLine() {
        String json =
                "{\"metrics\": [\n {\"name\": \"by_color\",\n \"measure\": {\"type\": \"count\"},\n \"dimensions\": [\"colour\"]}]}";

        assertThatThrownBy(() -> MetricDefinitions.parse(json, "metrics.json"))
                .hasMessageContaining("metrics.json, line 4")
                .hasMessageContaining("unknown field 'colour'");
    }

    @Test
    void shouldRejectAnUnknownKeyNamingIt() {
        String yaml = "metrics:\n  - name: x\n    measure: {type: count}\n    window: [1m]\n";

        assertThatThrownBy(() -> MetricDefinitions.parse(yaml, "metrics.yaml"))
                .hasMessageContaining("line 4")
                .hasMessageContaining("\"window\"");
    }
}
