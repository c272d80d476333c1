package io.sightline.common.kafka;

import io.sightline.schemas.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hot tier: how long each class of topic keeps records, set with
 * {@code SIGHTLINE_TOPICS_RETENTION_<CLASS>_MS} and applied by the topic bootstrap to new
 * and existing topics. The defaults fit a 30-day deletion promise: no topic that holds
 * events (and so user ids) keeps them longer than 14 days. Compacted topics keep the
 * latest value per key and have no time limit.
 */
public enum RetentionClass {
    RAW("raw", List.of(Topics.EVENTS_RAW), Duration.ofDays(7), true, "events as the gateway accepted them"),
    ENRICHED("enriched", List.of(Topics.EVENTS_ENRICHED), Duration.ofDays(7), true, "enriched events"),
    DEAD_LETTERS(
            "dead-letters",
            List.of(Topics.EVENTS_INVALID, Topics.QUALITY_VIOLATIONS),
            Duration.ofDays(14),
            true,
            "rejected events (masked) and tracking-plan violations, kept for debugging"),
    METRICS(
            "metrics",
            List.of(Topics.METRICS_WINDOWED, Topics.QUALITY_OBSERVATIONS),
            Duration.ofDays(30),
            false,
            "metric windows and event-catalog observations: counts and sketches, no user ids"),
    ALERTS("alerts", List.of(Topics.ALERTS), Duration.ofDays(90), false, "alerts, their starts and resolutions"),
    AUDIT(
            "audit",
            List.of(Topics.AUDIT),
            Duration.ofDays(365),
            false,
            "who did what and read what: credential names, actions, client addresses");

    /** The deletion promise the defaults keep: no event outlives a deletion by more than this. */
    public static final Duration DELETION_PROMISE = Duration.ofDays(30);

    private final String label;
    private final List<String> topics;
    private final Duration defaultRetention;
    private final boolean holdsEvents;
    private final String holds;

    RetentionClass(String label, List<String> topics, Duration defaultRetention, boolean holdsEvents, String holds) {
        this.label = label;
        this.topics = topics;
        this.defaultRetention = defaultRetention;
        this.holdsEvents = holdsEvents;
        this.holds = holds;
    }

    /** The class's name in settings and answers: {@code raw}, {@code dead-letters}, ... */
    public String label() {
        return label;
    }

    public List<String> topics() {
        return topics;
    }

    public Duration defaultRetention() {
        return defaultRetention;
    }

    /** Whether its topics hold events, with user ids: they bound how long a deleted subject's data lives. */
    public boolean holdsEvents() {
        return holdsEvents;
    }

    /** What its topics hold, for docs and answers. */
    public String holds() {
        return holds;
    }

    /** {@code retention.ms} per topic, from a retention per class. */
    public static Map<String, Long> perTopic(Map<RetentionClass, Duration> retention) {
        Map<String, Long> perTopic = new LinkedHashMap<>();
        retention.forEach((c, d) -> c.topics.forEach(t -> perTopic.put(t, d.toMillis())));
        return perTopic;
    }

    /** Every class at its default. */
    public static Map<RetentionClass, Duration> defaults() {
        Map<RetentionClass, Duration> defaults = new LinkedHashMap<>();
        for (RetentionClass c : values()) {
            defaults.put(c, c.defaultRetention);
        }
        return defaults;
    }
}
