package io.sightline.anomaly.alerting;

import io.sightline.anomaly.detection.Evaluation;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** Builds Alertmanager-shaped alert records with a stable fingerprint and a plain-language summary. */
public final class AlertFactory {

    public static final String ALERT_NAME = "MetricAnomaly";

    private AlertFactory() {
    }

    /** Stable across restarts and instances: the same rule on the same series is always the same alert. */
    public static String fingerprint(String detector, SeriesKey series) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((detector + "|" + series).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    public static Alert build(String detector, SeriesKey series, AlertStatus status, Evaluation e, double threshold,
                              Instant windowStart, Instant startsAt, Instant endsAt) {
        Map<String, String> labels = new HashMap<>(series.dimensions());
        labels.put("alertname", ALERT_NAME);
        labels.put("metric", series.metric());
        labels.put("severity", Math.abs(e.score()) >= 2 * threshold ? "critical" : "warning");
        String direction = e.score() >= 0 ? "above" : "below";
        String summary = String.format(Locale.ROOT, "%s %s is %s its normal range: %.0f observed, %.0f expected",
                series.metric(), series.dimensions(), direction, e.observed(), e.expected());
        String description = String.format(Locale.ROOT,
                "In the window starting %s the value was %.2f against an expected %.2f (normal range %.2f to %.2f); "
                        + "score %.1f MAD units, confidence %.2f.",
                windowStart, e.observed(), e.expected(), e.lower(), e.upper(), e.score(), e.confidence());
        return Alert.newBuilder()
                .setFingerprint(fingerprint(detector, series))
                .setStatus(status)
                .setLabels(labels)
                .setAnnotations(Map.of("summary", summary, "description", description))
                .setStartsAt(startsAt)
                .setEndsAt(endsAt)
                .setMetric(series.metric())
                .setDimensions(Map.copyOf(series.dimensions()))
                .setWindowStart(windowStart)
                .setObserved(e.observed())
                .setExpected(e.expected())
                .setLower(e.lower())
                .setUpper(e.upper())
                .setScore(e.score())
                .setConfidence(e.confidence())
                .setDetector(detector)
                .build();
    }
}
