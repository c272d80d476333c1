package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.aggregate.topology.AggregateTopology;
import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.topology.AnomalyTopology;
import io.sightline.enrich.EnrichConfig;
import io.sightline.enrich.topology.EnrichTopology;
import io.sightline.privacy.RegulationFeed;
import io.sightline.privacy.erasure.ErasureTopology;
import io.sightline.schemas.Topics;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import io.sightline.serving.ServingConfig;
import io.sightline.serving.topology.ServingTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Every state store of every Streams application either is erased when a data subject is
 * deleted, or is declared by its topology to hold no subject ids, with the reason. A store
 * added later that is neither fails here, so deletion cannot forget it.
 */
class PersonalDataStoresTest {

    private static final Topics TOPICS = new Topics(new InMemorySchemaRegistryClient());

    /** An application's topology and the stores it declares to hold no subject ids. */
    private record Application(String name, Topology topology, Map<String, String> storesWithoutSubjects) {}

    private static List<Application> applications() {
        return List.of(
                new Application(
                        "enrich-processor",
                        EnrichTopology.build(TOPICS, new EnrichConfig(Map.of()).topologySettings()),
                        EnrichTopology.STORES_WITHOUT_SUBJECTS),
                new Application(
                        "aggregate-processor",
                        AggregateTopology.build(TOPICS, new AggregateConfig(Map.of()).topologySettings()),
                        AggregateTopology.STORES_WITHOUT_SUBJECTS),
                new Application(
                        "anomaly-processor",
                        AnomalyTopology.build(TOPICS, new AnomalyConfig(Map.of()).topologySettings()),
                        AnomalyTopology.STORES_WITHOUT_SUBJECTS),
                new Application(
                        "serving-api",
                        ServingTopology.build(TOPICS, new ServingConfig(Map.of()).topologySettings()),
                        ServingTopology.STORES_WITHOUT_SUBJECTS));
    }

    @Test
    void everyStoreIsErasedOrDeclaredToHoldNoSubjectIds() {
        List<String> unaccounted = new ArrayList<>();
        for (Application app : applications()) {
            Set<String> erased = erasedStores(app.topology());
            for (String store : stores(app.topology())) {
                if (!erased.contains(store) && !app.storesWithoutSubjects().containsKey(store)) {
                    unaccounted.add(app.name() + ": " + store);
                }
            }
        }
        assertThat(unaccounted)
                .as("stores neither erased (ErasureTopology.erase) nor declared in their topology's"
                        + " STORES_WITHOUT_SUBJECTS with the reason they hold no subject ids")
                .isEmpty();
    }

    @Test
    void noStoreIsBothErasedAndDeclaredFreeOfSubjectIdsAndEveryDeclarationSaysWhy() {
        for (Application app : applications()) {
            Set<String> stores = stores(app.topology());
            assertThat(app.storesWithoutSubjects().keySet())
                    .as(app.name() + ": declared stores that the topology does not have")
                    .isSubsetOf(stores);
            Set<String> both = new TreeSet<>(app.storesWithoutSubjects().keySet());
            both.retainAll(erasedStores(app.topology()));
            assertThat(both)
                    .as(app.name() + ": stores both erased and declared free of subject ids")
                    .isEmpty();
            assertThat(app.storesWithoutSubjects().values())
                    .allSatisfy(why -> assertThat(why).hasSizeGreaterThan(20));
        }
    }

    @Test
    void theApplicationsThatEraseAreTheOnesEveryDeletionWaitsFor() {
        List<String> erasing = applications().stream()
                .filter(app -> !erasedStores(app.topology()).isEmpty())
                .map(Application::name)
                .toList();
        assertThat(erasing).containsExactlyElementsOf(RegulationFeed.ERASING_APPLICATIONS);
    }

    /** Every state store, global ones included, except what erasure itself keeps. */
    private static Set<String> stores(Topology topology) {
        Set<String> stores = new TreeSet<>();
        TopologyDescription description = topology.describe();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Processor p) {
                    stores.addAll(p.stores());
                }
            }
        }
        for (TopologyDescription.GlobalStore global : description.globalStores()) {
            stores.addAll(global.processor().stores());
        }
        stores.removeIf(
                s -> s.equals(ErasureTopology.REGULATIONS_STORE) || s.endsWith(ErasureTopology.PROGRESS_SUFFIX));
        return stores;
    }

    /** The stores connected to the topology's erasing processors. */
    private static Set<String> erasedStores(Topology topology) {
        Set<String> erased = new TreeSet<>();
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Processor p && p.name().startsWith(ErasureTopology.PREFIX)) {
                    erased.addAll(p.stores());
                }
            }
        }
        erased.removeIf(s -> s.endsWith(ErasureTopology.PROGRESS_SUFFIX));
        return erased;
    }
}
