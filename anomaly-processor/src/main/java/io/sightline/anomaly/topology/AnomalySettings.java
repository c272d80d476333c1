package io.sightline.anomaly.topology;

import io.sightline.anomaly.forwarding.AlertForwarder;
import io.sightline.anomaly.rules.RuleSet;
import java.time.Duration;

/**
 * What the detection topology needs: the rules per metric, the cap on series each
 * stream task tracks, how often the cap is enforced, the events a source needs in a minute
 * before its share of rejected events is judged, and where alerts are forwarded
 * (null: only to {@code alerts.v1}).
 */
public record AnomalySettings(
        RuleSet rules, int maxSeries, Duration evictionInterval, int rejectedShareMinEvents, AlertForwarder forwarder) {

    public AnomalySettings withForwarder(AlertForwarder forwarder) {
        return new AnomalySettings(rules, maxSeries, evictionInterval, rejectedShareMinEvents, forwarder);
    }
}
