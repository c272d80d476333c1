package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.embedded.kafka.EmbeddedKafkaCluster;
import io.sightline.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sightline create-topics against a real broker: what the compose service and the Helm hook Job run. */
class TopicCreatorIT {

    @TempDir
    static Path dataDir;

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafkaCluster.singleNode(dataDir, 0);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void shouldCreateEveryTopicOnceWithItsPartitionsMinInsyncReplicasAndCompaction() throws Exception {
        TopicsConfig config = new TopicsConfig(Map.of(
                "SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "SIGHTLINE_TOPICS_PARTITIONS", "4",
                "SIGHTLINE_TOPICS_REPLICATION_FACTOR", "1",
                "SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS", "1"));

        List<String> created = TopicCreator.createMissing(config);
        List<String> createdAgain = TopicCreator.createMissing(config);

        assertThat(created).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        assertThat(createdAgain)
                .as("a second run (every helm upgrade) changes nothing")
                .isEmpty();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics.values())
                    .allSatisfy(t -> assertThat(t.partitions()).hasSize(4));

            Map<ConfigResource, Config> configs = admin.describeConfigs(Topics.ALL.stream()
                            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                            .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
            configs.forEach((resource, topicConfig) -> {
                assertThat(topicConfig.get("min.insync.replicas").value())
                        .as(resource.name())
                        .isEqualTo("1");
                assertThat(topicConfig.get("cleanup.policy").value())
                        .as(resource.name())
                        .isEqualTo(Topics.COMPACTED.contains(resource.name()) ? "compact" : "delete");
            });
        }
    }

    @Test
    void shouldSetTheRetentionOfEachClassOnNewAndExistingTopics() throws Exception {
        Map<String, String> settings = Map.of(
                "SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "SIGHTLINE_TOPICS_REPLICATION_FACTOR", "1",
                "SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS", "1");
        Map<String, String> shorter = new HashMap<>(settings);
        shorter.put(
                "SIGHTLINE_TOPICS_RETENTION_RAW_MS",
                Long.toString(Duration.ofDays(2).toMillis()));

        TopicCreator.createMissing(new TopicsConfig(shorter));
        assertThat(retentionMs(Topics.EVENTS_RAW)).isEqualTo(Duration.ofDays(2).toMillis());
        assertThat(retentionMs(Topics.EVENTS_ENRICHED))
                .isEqualTo(Duration.ofDays(7).toMillis());
        assertThat(retentionMs(Topics.EVENTS_INVALID))
                .isEqualTo(Duration.ofDays(14).toMillis());
        assertThat(retentionMs(Topics.QUALITY_VIOLATIONS))
                .isEqualTo(Duration.ofDays(14).toMillis());
        assertThat(retentionMs(Topics.METRICS_WINDOWED))
                .isEqualTo(Duration.ofDays(30).toMillis());
        assertThat(retentionMs(Topics.ALERTS)).isEqualTo(Duration.ofDays(90).toMillis());

        // The next run (a helm upgrade with the default values) brings the existing topic back.
        TopicCreator.createMissing(new TopicsConfig(settings));
        assertThat(retentionMs(Topics.EVENTS_RAW)).isEqualTo(Duration.ofDays(7).toMillis());
    }

    private static long retentionMs(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return Long.parseLong(admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource)
                    .get("retention.ms")
                    .value());
        }
    }
}
