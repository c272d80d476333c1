package io.sightline.anomaly.alerting;

import io.sightline.anomaly.detection.Evaluation;
import io.sightline.anomaly.detection.Transition;
import io.sightline.anomaly.rules.DataQualityRules;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.Alert;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** Builds Alertmanager-shaped alert records with a stable fingerprint, a plain-language summary and an explanation. */
public final class AlertFactory {

    public static final String ALERT_NAME = "MetricAnomaly";
    public static final String THRESHOLD_ALERT_NAME = "MetricThreshold";

    private AlertFactory() {}

    /** Stable across restarts and instances: the same rule on the same series is always the same alert. */
    public static String fingerprint(String rule, SeriesKey series) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest((rule + "|" + series).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    public static Alert build(Transition t, SeriesKey series, Explanation explanation, String runbookUrl) {
        Evaluation e = t.evaluation();
        boolean threshold = e.detector().equals("threshold");
        Map<String, String> labels = new HashMap<>(series.dimensions());
        labels.put("alertname", threshold ? THRESHOLD_ALERT_NAME : ALERT_NAME);
        labels.put("rule", t.rule());
        labels.put("metric", series.metric());
        labels.put("severity", t.severity());
        String direction = e.score() >= 0 ? "above" : "below";
        String summary = String.format(
                Locale.ROOT,
                "%s %s is %s %s: %s observed, %s expected",
                series.metric(),
                series.dimensions(),
                direction,
                threshold ? "its threshold" : "its normal range",
                number(e.observed()),
                number(e.expected()));
        String description = String.format(
                Locale.ROOT,
                "In the window starting %s the value was %s against an expected %s (normal range %s to %s); "
                        + "%s score %.1f, confidence %.2f%s.%s",
                Instant.ofEpochMilli(t.windowStart()),
                number(e.observed()),
                number(e.expected()),
                number(e.lower()),
                number(e.upper()),
                e.detector(),
                e.score(),
                e.confidence(),
                switch (e.state()) {
                    case FALLBACK -> " (seasonal baseline still learning: judged against the recent level)";
                    default -> "";
                },
                explanation.text().isEmpty() ? "" : " " + explanation.text());
        Map<String, String> annotations = new HashMap<>();
        if (t.revision()) {
            // Said plainly: the window was judged normal, then late events changed it.
            summary = "Revised by late events: " + summary;
            annotations.put(
                    "revision",
                    "The window starting " + Instant.ofEpochMilli(t.windowStart())
                            + " was judged when it closed; events that arrived later revised its value into this anomaly.");
        }
        annotations.put("summary", summary);
        annotations.put("description", description);
        if (!explanation.text().isEmpty()) {
            annotations.put("explanation", explanation.text());
        }
        if (runbookUrl != null && !runbookUrl.isBlank()) {
            annotations.put("runbook_url", runbookUrl);
        }
        String remediation = DataQualityRules.remediation(series);
        if (remediation != null) {
            annotations.put("remediation", remediation);
        }
        return Alert.newBuilder()
                .setFingerprint(fingerprint(t.rule(), series))
                .setStatus(t.status())
                .setLabels(labels)
                .setAnnotations(annotations)
                .setStartsAt(Instant.ofEpochMilli(t.startsAt()))
                .setEndsAt(t.endsAt() == null ? null : Instant.ofEpochMilli(t.endsAt()))
                .setMetric(series.metric())
                .setDimensions(Map.copyOf(series.dimensions()))
                .setWindowStart(Instant.ofEpochMilli(t.windowStart()))
                .setObserved(e.observed())
                .setExpected(e.expected())
                .setLower(e.lower())
                .setUpper(e.upper())
                .setScore(e.score())
                .setConfidence(e.confidence())
                .setDetector(e.detector())
                .setRule(t.rule())
                .setExplanation(explanation.text())
                .setContributors(explanation.contributors())
                .setCorrelated(explanation.correlated())
                .build();
    }

    private static String number(double v) {
        if (Math.abs(v) >= 1e300) {
            return v > 0 ? "+inf" : "-inf";
        }
        return Math.abs(v) >= 100 || v == Math.rint(v)
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.3g", v);
    }
}
