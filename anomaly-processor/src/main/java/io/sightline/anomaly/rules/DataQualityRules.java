package io.sightline.anomaly.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.schemas.SeriesKey;
import java.util.List;

/**
 * The built-in rules of the data-quality series: threshold rules on the share of
 * rejected events per source and on the lag of each pipeline stage (they need no
 * learning, so they alert from the first complete window), and the statistical
 * detectors on the counts of dropped events for rises only. An entry of the rules file
 * whose {@code match} is exactly one of these metrics replaces its built-in rule.
 */
public final class DataQualityRules {

    /** Rejected over all (accepted + rejected) events per source and minute, in [0, 1]. */
    public static final String REJECTED_SHARE_METRIC = "rejected_share";
    /** Events with tracking-plan violations over all events per source and minute, in [0, 1]. */
    public static final String VIOLATION_SHARE_METRIC = "violation_share";
    /** Consumer lag in seconds of each pipeline stage (Streams application). */
    public static final String PIPELINE_LAG_METRIC = "pipeline_lag_seconds";
    /** Per-minute counts of what the pipeline drops: judged for rises only (a drop in drops is good news). */
    public static final List<String> DROP_COUNT_METRICS = List.of("rejected_events", "duplicate_events", "late_events");

    public static final String REJECTED_SHARE_ALERT = "RejectedShareHigh";
    public static final String PIPELINE_LAG_ALERT = "PipelineLagHigh";
    public static final String VIOLATION_SHARE_ALERT = "ViolationShareHigh";

    private DataQualityRules() {}

    /** What an on-call engineer does about a data-quality alert on {@code series}, or null for other metrics. */
    public static String remediation(SeriesKey series) {
        String source = series.dimensions().getOrDefault("source", "?");
        return switch (series.metric()) {
            case VIOLATION_SHARE_METRIC ->
                "See what source " + source + "'s events break: GET /v1/quality/violations?source=" + source
                        + "&groupBy=event,type,path on the serving API (each path with expected and actual values in quality.violations.v1); "
                        + "fix the app that sends them, or publish a tracking-plan version that allows them.";
            case REJECTED_SHARE_METRIC ->
                "See why source " + source + "'s events are rejected: GET /v1/quality on the serving API "
                        + "(reason per stage), the records in events.invalid.v1 carry the payload and the field to fix.";
            default -> null;
        };
    }

    /**
     * @param maxRejectedShare  share of rejected events above which a source alerts
     * @param maxViolationShare share of events with tracking-plan violations above which a source alerts
     * @param maxLagSeconds     lag above which a pipeline stage alerts
     */
    public static List<ObjectNode> entries(double maxRejectedShare, double maxViolationShare, double maxLagSeconds) {
        List<ObjectNode> entries = new java.util.ArrayList<>(List.of(
                entry(REJECTED_SHARE_METRIC, REJECTED_SHARE_ALERT, maxRejectedShare, "warning"),
                entry(VIOLATION_SHARE_METRIC, VIOLATION_SHARE_ALERT, maxViolationShare, "warning"),
                entry(PIPELINE_LAG_METRIC, PIPELINE_LAG_ALERT, maxLagSeconds, "critical")));
        for (String metric : DROP_COUNT_METRICS) {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("match", metric);
            n.put("direction", "up");
            entries.add(n);
        }
        return entries;
    }

    private static ObjectNode entry(String metric, String alert, double above, String severity) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("match", metric);
        n.put("name", metric + "_anomaly");
        n.putArray("detectors"); // thresholds only: no baseline to learn, and a share or a lag has no useful season
        n.put("minVolume", 0);
        ObjectNode threshold = n.putArray("thresholds").addObject();
        threshold.put("name", alert);
        threshold.put("above", above);
        threshold.put("direction", "up");
        threshold.put("severity", severity);
        return n;
    }
}
