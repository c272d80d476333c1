package io.sightline.anomaly.alerting;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.EventCatalogEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracking-plan drift alerts: a source sends an event name its plan does not list,
 * or a property arrives as another JSON type than before. Each is a notice, not a state
 * with a value to watch, so it fires once and ends by itself after {@link #NOTICE_LENGTH}
 * (Alertmanager resolves it at {@code endsAt}). Each carries the event's shape as a
 * sample (values replaced by their types, so no personal data) and what to do.
 */
public final class DriftAlerts {

    public static final String UNPLANNED_EVENT = "UnplannedEvent";
    public static final String PROPERTY_TYPE_CHANGED = "PropertyTypeChanged";
    public static final String METRIC = "event_catalog";
    static final Duration NOTICE_LENGTH = Duration.ofHours(1);

    private DriftAlerts() {}

    public static Alert unplannedEvent(EventCatalogEntry seen, Instant now) {
        String name = name(seen);
        String summary =
                "Source " + seen.getSource() + " sends " + seen.getEventType() + " '" + name + "', which tracking plan "
                        + seen.getTrackingPlan() + "@" + seen.getTrackingPlanVersion() + " does not list";
        String remediation = "Add '" + name + "' to tracking plan " + seen.getTrackingPlan()
                + " (PUT /v1/tracking-plans/" + seen.getTrackingPlan()
                + ") if it is meant, or fix the name in the app that sends it"
                + " (a near match of a planned name is usually a typo).";
        return build(UNPLANNED_EVENT, seen, Map.of(), summary, remediation, now);
    }

    /** @param before the JSON types the property arrived as until now */
    public static Alert propertyTypeChanged(
            EventCatalogEntry seen, String property, List<String> before, String now, Instant at) {
        String name = name(seen);
        String summary = "Property '" + property + "' of " + seen.getEventType() + " '" + name + "' from source "
                + seen.getSource() + " arrives as " + now + "; until now it was " + String.join(" or ", before);
        String remediation = "Send '" + property + "' as " + String.join(" or ", before)
                + " again in the app that changed it"
                + (seen.getTrackingPlan() == null
                        ? ""
                        : ", or change its type in tracking plan " + seen.getTrackingPlan() + " if the change is meant")
                + "; metrics that read '" + property + "' see the new values differently.";
        return build(PROPERTY_TYPE_CHANGED, seen, Map.of("property", property), summary, remediation, at);
    }

    private static String name(EventCatalogEntry seen) {
        return seen.getEventName() == null ? "(no name)" : seen.getEventName();
    }

    private static Alert build(
            String alertName,
            EventCatalogEntry seen,
            Map<String, String> extra,
            String summary,
            String remediation,
            Instant now) {
        Map<String, String> dimensions = new HashMap<>(extra);
        dimensions.put("source", seen.getSource());
        dimensions.put("event", name(seen));
        SeriesKey series = SeriesKey.of(METRIC, dimensions);
        Map<String, String> labels = new HashMap<>(dimensions);
        labels.put("alertname", alertName);
        labels.put("rule", alertName);
        labels.put("metric", METRIC);
        labels.put("severity", "warning");
        Map<String, String> annotations = new HashMap<>();
        annotations.put("summary", summary);
        annotations.put("description", remediation);
        annotations.put("remediation", remediation);
        if (seen.getSample() != null) {
            annotations.put("sample", seen.getSample());
        }
        return Alert.newBuilder()
                .setFingerprint(AlertFactory.fingerprint(alertName, series))
                .setStatus(AlertStatus.firing)
                .setLabels(labels)
                .setAnnotations(annotations)
                .setStartsAt(now)
                .setEndsAt(now.plus(NOTICE_LENGTH))
                .setMetric(METRIC)
                .setDimensions(dimensions)
                .setWindowStart(now)
                .setObserved(seen.getCount())
                .setExpected(0)
                .setLower(0)
                .setUpper(0)
                .setScore(0)
                .setConfidence(1)
                .setDetector("catalog_drift")
                .setRule(alertName)
                .setExplanation("")
                .build();
    }
}
