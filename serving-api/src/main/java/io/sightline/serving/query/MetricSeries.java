package io.sightline.serving.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/metrics/{metric}}: one entry per series, points oldest
 * first, and how fresh the answer is. The first three fields are the shape fixed by
 * the walking skeleton.
 */
public record MetricSeries(String metric, String window, List<Series> series, boolean stale, Freshness freshness) {

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
