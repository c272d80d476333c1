package io.sightline.serving.query;

import io.sightline.schemas.avro.Alert;
import java.time.Instant;
import java.util.Map;

/** An alert as the JSON API shows it (Alertmanager field names, ISO-8601 times). */
public record AlertView(String fingerprint, String status, Map<String, String> labels, Map<String, String> annotations,
                        Instant startsAt, Instant endsAt, String metric, Map<String, String> dimensions, Instant windowStart,
                        double observed, double expected, double lower, double upper, double score, double confidence,
                        String detector) {

    public static AlertView of(Alert a) {
        return new AlertView(a.getFingerprint(), a.getStatus().name(), Map.copyOf(a.getLabels()), Map.copyOf(a.getAnnotations()),
                a.getStartsAt(), a.getEndsAt(), a.getMetric(), Map.copyOf(a.getDimensions()), a.getWindowStart(),
                a.getObserved(), a.getExpected(), a.getLower(), a.getUpper(), a.getScore(), a.getConfidence(), a.getDetector());
    }
}
