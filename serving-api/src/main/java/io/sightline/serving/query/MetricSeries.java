package io.sightline.serving.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of {@code GET /v1/metrics/{metric}}: one entry per series, points oldest first. */
public record MetricSeries(String metric, String window, List<Series> series) {

    public record Series(Map<String, String> dimensions, List<Point> points) {
    }

    /** A window's value; whole numbers (counts) are written without a fraction. */
    public record Point(Instant start, Instant end, Number value) {

        public static Point of(Instant start, Instant end, double value) {
            boolean whole = value == Math.rint(value) && Math.abs(value) < 1e15;
            return new Point(start, end, whole ? (Number) (long) value : (Number) value);
        }
    }
}
