package io.sightline.serving.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.Topics;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import io.sightline.serving.ServingConfig;
import io.sightline.serving.topology.ServingTopology;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoreRouterTest {

    private final Topics topics = new Topics(new InMemorySchemaRegistryClient());

    @Test
    void shouldKnowTheTopicsThatFeedEachPartitionedStoreAsTheAssignmentNamesThem() {
        Map<String, Set<String>> sources = StoreRouter.sourcesByStore(
                ServingTopology.build(topics, new ServingConfig(Map.of()).topologySettings())
                        .describe(),
                "serving-api");

        assertThat(sources.get(ServingTopology.CATALOG_STORE)).containsExactly(Topics.METRICS_WINDOWED);
        for (var size : ServingTopology.WINDOW_SIZES) {
            assertThat(sources.get(ServingTopology.metricStore(size))).containsExactly(Topics.METRICS_WINDOWED);
        }
        assertThat(sources.get(ServingTopology.ALERT_STORE)).containsExactly(Topics.ALERTS);
        // Counted after a re-key: fed by a repartition topic, which the assignment names after the application.
        assertThat(sources.get(ServingTopology.DEAD_LETTER_STORE))
                .containsExactly("serving-api-dead-letters-by-reason-repartition");
        // Every replica holds the whole of a global store: no partitions to account for.
        assertThat(sources).doesNotContainKey(ServingTopology.EVENT_CATALOG_STORE);
    }
}
