package io.sightline.serving.query;

import io.sightline.schemas.avro.Alert;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An alert as the JSON API shows it (Alertmanager field names, ISO-8601 times). */
public record AlertView(
        String fingerprint,
        String status,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        String metric,
        Map<String, String> dimensions,
        Instant windowStart,
        double observed,
        double expected,
        double lower,
        double upper,
        double score,
        double confidence,
        String detector,
        String rule,
        String explanation,
        List<Contributor> contributors,
        List<Correlated> correlated) {

    /** A dimension value and its share of the deviation. */
    public record Contributor(String dimension, String value, double share) {}

    /** A series of another metric that deviated in the same window. */
    public record Correlated(String series, double score, double observed, double expected) {}

    public static AlertView of(Alert a) {
        return new AlertView(
                a.getFingerprint(),
                a.getStatus().name(),
                Map.copyOf(a.getLabels()),
                Map.copyOf(a.getAnnotations()),
                a.getStartsAt(),
                a.getEndsAt(),
                a.getMetric(),
                Map.copyOf(a.getDimensions()),
                a.getWindowStart(),
                a.getObserved(),
                a.getExpected(),
                a.getLower(),
                a.getUpper(),
                a.getScore(),
                a.getConfidence(),
                a.getDetector(),
                a.getRule(),
                a.getExplanation(),
                a.getContributors().stream()
                        .map(c -> new Contributor(c.getDimension(), c.getValue(), c.getShare()))
                        .toList(),
                a.getCorrelated().stream()
                        .map(c -> new Correlated(c.getSeries(), c.getScore(), c.getObserved(), c.getExpected()))
                        .toList());
    }
}
