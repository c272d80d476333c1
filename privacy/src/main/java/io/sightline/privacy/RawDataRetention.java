package io.sightline.privacy;

import io.sightline.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the last copy of an event can outlive a deletion: the longest time retention of
 * the topics that keep events as they flow (raw, enriched, dead letters), read from the
 * brokers, so it is what is in force, not what was meant. Those topics are not compacted
 * and cannot be edited; a deleted subject's events in them expire with their segments.
 */
public final class RawDataRetention {

    private static final Logger LOG = LoggerFactory.getLogger(RawDataRetention.class);
    /** The topics that hold events (and so subject ids) until their retention expires. */
    public static final List<String> TOPICS = List.of(Topics.EVENTS_RAW, Topics.EVENTS_ENRICHED, Topics.EVENTS_INVALID);

    private static final Duration REFRESH = Duration.ofMinutes(1);

    /** The topics' retention: the longest, or the topic that keeps events without a time limit. */
    public record Retention(Duration longest, String unlimitedTopic) {
        public boolean unlimited() {
            return unlimitedTopic != null;
        }
    }

    private final Map<String, Object> adminProperties;
    private volatile Retention known;
    private volatile long readAt;

    public RawDataRetention(Map<String, Object> adminProperties) {
        this.adminProperties = adminProperties;
    }

    /** The retention in force, read at most once a minute; empty while the brokers have not answered yet. */
    public Optional<Retention> current() {
        if (known == null || System.nanoTime() - readAt > REFRESH.toNanos()) {
            try {
                known = read();
                readAt = System.nanoTime();
            } catch (Exception e) {
                // Keep the last answer: retention rarely changes, and a status page must not fail with the broker.
                LOG.warn("Cannot read the retention of {}: {}", TOPICS, e.getMessage());
            }
        }
        return Optional.ofNullable(known);
    }

    private Retention read() throws Exception {
        try (Admin admin = Admin.create(adminProperties)) {
            List<ConfigResource> resources = TOPICS.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                    .toList();
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
            Map<String, Long> retentionMs = configs.entrySet().stream()
                    .collect(Collectors.toMap(
                            e -> e.getKey().name(),
                            e -> Long.parseLong(e.getValue()
                                    .get(TopicConfig.RETENTION_MS_CONFIG)
                                    .value())));
            long longest = 0;
            for (String topic : TOPICS) {
                long ms = retentionMs.getOrDefault(topic, -1L);
                if (ms < 0) {
                    return new Retention(null, topic);
                }
                longest = Math.max(longest, ms);
            }
            return new Retention(Duration.ofMillis(longest), null);
        }
    }
}
