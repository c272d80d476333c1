package io.sightline.serving.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of {@code GET /v1/metrics/{metric}}: one entry per series, points oldest first. */
public record MetricSeries(String metric, String window, List<Series> series) {

    public record Series(Map<String, String> dimensions, List<Point> points) {
    }

    public record Point(Instant start, Instant end, double value) {
    }
}
