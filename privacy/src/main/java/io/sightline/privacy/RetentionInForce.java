package io.sightline.privacy;

import io.sightline.common.kafka.RetentionClass;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot tier's retention as the brokers have it, not as it was meant: {@code retention.ms}
 * of every topic of every {@link RetentionClass}, read at most once a minute. Answers how
 * long the last copy of an event can outlive a deletion: the topics that hold events are
 * not compacted and cannot be edited, so a deleted subject's events expire with their
 * segments.
 */
public final class RetentionInForce {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionInForce.class);
    private static final Duration REFRESH = Duration.ofMinutes(1);

    /** How long events can outlive a deletion: the longest retention, or the topic that keeps them without limit. */
    public record RawData(Duration longest, String unlimitedTopic) {
        public boolean unlimited() {
            return unlimitedTopic != null;
        }
    }

    private final Map<String, Object> adminProperties;
    /** {@code retention.ms} per topic (-1: no time limit). */
    private volatile Map<String, Long> known;

    private volatile long readAt;

    public RetentionInForce(Map<String, Object> adminProperties) {
        this.adminProperties = adminProperties;
    }

    /** {@code retention.ms} per topic of every class (-1: no time limit); empty while the brokers have not answered. */
    public Optional<Map<String, Long>> topics() {
        if (known == null || System.nanoTime() - readAt > REFRESH.toNanos()) {
            try {
                known = read();
                readAt = System.nanoTime();
            } catch (Exception e) {
                // Keep the last answer: retention rarely changes, and a status page must not fail with the broker.
                LOG.warn("Cannot read the retention of the pipeline's topics: {}", e.getMessage());
            }
        }
        return Optional.ofNullable(known);
    }

    /** How long events can outlive a deletion, from the classes whose topics hold events. */
    public Optional<RawData> rawData() {
        return topics().map(retention -> {
            long longest = 0;
            for (RetentionClass c : RetentionClass.values()) {
                if (!c.holdsEvents()) {
                    continue;
                }
                for (String topic : c.topics()) {
                    long ms = retention.getOrDefault(topic, -1L);
                    if (ms < 0) {
                        return new RawData(null, topic);
                    }
                    longest = Math.max(longest, ms);
                }
            }
            return new RawData(Duration.ofMillis(longest), null);
        });
    }

    private Map<String, Long> read() throws Exception {
        List<String> topics = Arrays.stream(RetentionClass.values())
                .flatMap(c -> c.topics().stream())
                .toList();
        try (Admin admin = Admin.create(adminProperties)) {
            Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                            .toList())
                    .all()
                    .get(10, TimeUnit.SECONDS);
            Map<String, Long> retention = new LinkedHashMap<>();
            configs.forEach((resource, config) -> {
                ConfigEntry entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
                retention.put(resource.name(), entry == null ? -1L : Long.parseLong(entry.value()));
            });
            return retention;
        }
    }
}
