package io.sightline.serving.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricQueriesTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);

    @Test
    void shouldSumSeriesPerGroupWindowByWindowAndKeepTheLargestTotals() {
        MetricSeries answer = new MetricSeries(
                "event_count",
                "PT1M",
                List.of(
                        series(Map.of("event", "A", "country", "DE"), 3, 4),
                        series(Map.of("event", "A", "country", "FR"), 1, 0),
                        series(Map.of("event", "B", "country", "DE"), 10, 1),
                        series(Map.of("event", "C", "country", "DE"), 1, 1)),
                false,
                Freshness.NONE);

        MetricSeries top = MetricQueries.grouped(answer, "event", 2);

        assertThat(top.series()).extracting(s -> s.dimensions().get("event")).containsExactly("B", "A");
        assertThat(top.series().get(1).points())
                .extracting(p -> p.value().longValue())
                .containsExactly(4L, 4L);
        assertThat(top.series().get(0).points())
                .extracting(MetricSeries.Point::start)
                .containsExactly(T0, T1);
    }

    @Test
    void shouldWriteWholeValuesWithoutAFraction() {
        assertThat(MetricSeries.Point.of(T0, T1, 3.0).value()).isEqualTo(3L);
        assertThat(MetricSeries.Point.of(T0, T1, 0.25).value()).isEqualTo(0.25);
    }

    private static MetricSeries.Series series(Map<String, String> dims, double first, double second) {
        return new MetricSeries.Series(
                dims,
                List.of(MetricSeries.Point.of(T0, T1, first), MetricSeries.Point.of(T1, T1.plusSeconds(60), second)));
    }
}
