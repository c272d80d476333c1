package io.sightline.anomaly.topology;

import io.sightline.anomaly.forwarding.AlertForwarder;
import io.sightline.anomaly.rules.RuleSet;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What the detection topology needs: the rules per metric, the cap on series each
 * stream task tracks, how often the cap is enforced, the events a source needs in a minute
 * before its share of rejected events is judged, where alerts are forwarded (null: only to
 * {@code alerts.v1}), and whether the stages upstream are caught up: only then is a task whose
 * input stopped altogether judged on wall-clock time (an upstream outage is not a volume drop).
 */
public record AnomalySettings(
        RuleSet rules,
        int maxSeries,
        Duration evictionInterval,
        int rejectedShareMinEvents,
        AlertForwarder forwarder,
        BooleanSupplier upstreamCaughtUp) {

    public AnomalySettings(
            RuleSet rules,
            int maxSeries,
            Duration evictionInterval,
            int rejectedShareMinEvents,
            AlertForwarder forwarder) {
        this(rules, maxSeries, evictionInterval, rejectedShareMinEvents, forwarder, () -> true);
    }

    public AnomalySettings withForwarder(AlertForwarder forwarder) {
        return new AnomalySettings(
                rules, maxSeries, evictionInterval, rejectedShareMinEvents, forwarder, upstreamCaughtUp);
    }

    public AnomalySettings withUpstream(BooleanSupplier caughtUp) {
        return new AnomalySettings(rules, maxSeries, evictionInterval, rejectedShareMinEvents, forwarder, caughtUp);
    }
}
