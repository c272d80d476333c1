package io.sightline.serving.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/metrics/{metric}}: one entry per series, points oldest
 * first, and how fresh the answer is. The first three fields are the shape fixed by
 * the walking skeleton.
 */
public record MetricSeries(
        String metric,
        String window,
        List<Series> series,
        boolean stale,
        Freshness freshness,
        @JsonInclude(JsonInclude.Include.NON_NULL) Horizon horizon) {

    public MetricSeries(String metric, String window, List<Series> series, boolean stale, Freshness freshness) {
        this(metric, window, series, stale, freshness, null);
    }

    /**
     * Set when the range asked for began before the oldest window kept: the answer starts at
     * {@code from}, because windows of {@code window} are kept for {@code keptFor}.
     */
    public record Horizon(String window, String keptFor, Instant from) {}

    /** This answer, saying where the kept windows begin (null: the whole range was kept). */
    public MetricSeries withHorizon(Horizon clipped) {
        return new MetricSeries(metric, window, series, stale, freshness, clipped);
    }

    public record Series(Map<String, String> dimensions, List<Point> points) {}

    /**
     * A window's value; whole numbers (counts) are written without a fraction. The
     * optional fields carry what the metric's measure adds: how many events
     * contributed, whether the window is closed, percentiles, and named values
     * (funnel steps and drop-off, ratio operands, sum and mean); and the window's
     * revisions: how many times late events changed it after it closed, and whether it
     * is still open to revision (until {@code revisableUntil}, by receive time).
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Point(
            Instant start,
            Instant end,
            Number value,
            Long samples,
            Boolean isFinal,
            Double p50,
            Double p95,
            Double p99,
            Map<String, Double> values,
            Integer revisions,
            Boolean openToRevision,
            Instant revisableUntil) {

        public static Point of(Instant start, Instant end, double value) {
            return new Point(start, end, number(value), null, null, null, null, null, null, null, null, null);
        }

        public static Point of(MetricWindow w) {
            Instant until = w.getRevisableUntil();
            return new Point(
                    w.getWindowStart(),
                    w.getWindowEnd(),
                    number(w.getValue()),
                    w.getSampleCount() > 0 ? w.getSampleCount() : null,
                    w.getIsFinal() ? Boolean.TRUE : null,
                    w.getP50(),
                    w.getP95(),
                    w.getP99(),
                    w.getValues().isEmpty() ? null : Map.copyOf(w.getValues()),
                    w.getRevision() > 0 ? w.getRevision() : null,
                    until == null ? null : Instant.now().isBefore(until),
                    until);
        }

        private static Number number(double value) {
            boolean whole = value == Math.rint(value) && Math.abs(value) < 1e15;
            return whole ? (Number) (long) value : (Number) value;
        }
    }
}
