package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TopicsConfigTest {

    @Test
    void shouldDefaultToReplicationThreeAndMinInsyncTwo() {
        TopicsConfig config = new TopicsConfig(Map.of());

        assertThat(config.replicationFactor()).isEqualTo((short) 3);
        assertThat(config.minInsyncReplicas()).isEqualTo(2);
    }

    @Test
    void shouldRefuseMoreInsyncReplicasThanReplicasNamingBothSettings() {
        assertThatThrownBy(() -> new TopicsConfig(Map.of("SIGHTLINE_TOPICS_REPLICATION_FACTOR", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS")
                .hasMessageContaining("SIGHTLINE_TOPICS_REPLICATION_FACTOR");
    }

    @Test
    void shouldPassKafkaSecuritySettingsThroughToTheAdminClient() {
        TopicsConfig config = new TopicsConfig(
                Map.of("SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", "b:9093", "SIGHTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"));

        assertThat(config.adminProperties())
                .containsEntry("bootstrap.servers", "b:9093")
                .containsEntry("security.protocol", "SASL_SSL");
    }
}
