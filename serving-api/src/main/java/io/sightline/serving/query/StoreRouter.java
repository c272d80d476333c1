package io.sightline.serving.query;

import io.sightline.common.http.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the replica that can answer for a key or a store and asks it: this replica's
 * own stores when it holds the data, else the owner over HTTP, else a standby (whose
 * answer is marked stale). When nobody can answer the caller gets 503 with
 * {@code Retry-After}, never a 500 or a hang.
 */
public final class StoreRouter {

    private static final Logger log = LoggerFactory.getLogger(StoreRouter.class);
    private static final int RETRY_AFTER_SECONDS = 2;

    private final KafkaStreams streams;
    private final HostInfo self;
    private final Map<String, Set<String>> sourcesByStore;

    /**
     * @param sourcesByStore the topics that feed each partitioned store ({@link #sourcesByStore}),
     *     so this replica knows which of its partitions an answer must cover
     */
    public StoreRouter(KafkaStreams streams, HostInfo self, Map<String, Set<String>> sourcesByStore) {
        this.streams = streams;
        this.self = self;
        this.sourcesByStore = Map.copyOf(sourcesByStore);
    }

    /**
     * The source topics of each store's sub-topology, as the group's assignment names them:
     * repartition topics carry the application id. Global stores are not listed (every replica
     * holds all of them).
     */
    public static Map<String, Set<String>> sourcesByStore(TopologyDescription topology, String applicationId) {
        Map<String, Set<String>> sources = new HashMap<>();
        for (TopologyDescription.Subtopology sub : topology.subtopologies()) {
            Set<String> topics = new TreeSet<>();
            Set<String> stores = new TreeSet<>();
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    source.topicSet()
                            .forEach(t -> topics.add(t.endsWith("-repartition") ? applicationId + "-" + t : t));
                } else if (node instanceof TopologyDescription.Processor processor) {
                    stores.addAll(processor.stores());
                }
            }
            stores.forEach(store -> sources.put(store, Set.copyOf(topics)));
        }
        return Map.copyOf(sources);
    }

    /** A store of this replica, for the partition that holds a key, with whether it is stale. */
    public record LocalStore<S>(S store, boolean stale, long offsetLag) {}

    /**
     * Answers for {@code key}: locally if this replica is its active or standby host,
     * else by asking the active host, then each standby, in turn.
     */
    public <T, S> T forKey(
            String storeName,
            String key,
            QueryableStoreType<S> type,
            Function<LocalStore<S>, T> local,
            Function<HostInfo, T> remote) {
        KeyQueryMetadata owner =
                streams.queryMetadataForKey(storeName, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw unavailable("no replica holds store " + storeName + " yet (starting or rebalancing)");
        }
        List<HostInfo> candidates = new ArrayList<>();
        candidates.add(owner.activeHost());
        candidates.addAll(owner.standbyHosts());
        // Prefer ourselves when we hold the key at all: no network hop.
        if (candidates.remove(self)) {
            Optional<T> answer = tryLocal(storeName, owner, type, local);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        for (HostInfo host : candidates) {
            try {
                return remote.apply(host);
            } catch (ApiException e) {
                if (e.status() != 503) {
                    throw e;
                }
                log.debug("Replica {} could not answer for {}: {}", host, storeName, e.getMessage());
            }
        }
        throw unavailable("no replica could answer for store " + storeName);
    }

    /** Answers for {@code key} from this replica only (a forwarded request); 503 when it does not hold the key. */
    public <T, S> T localForKey(
            String storeName, String key, QueryableStoreType<S> type, Function<LocalStore<S>, T> local) {
        KeyQueryMetadata owner =
                streams.queryMetadataForKey(storeName, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw unavailable("no replica holds store " + storeName + " yet (starting or rebalancing)");
        }
        return tryLocal(storeName, owner, type, local)
                .orElseThrow(() -> unavailable("this replica does not hold that key of " + storeName + " right now"));
    }

    /** Answers from every replica's active stores and returns all answers (this replica's first). */
    public <T> List<T> everywhere(String storeName, Supplier<T> local, Function<HostInfo, T> remote) {
        List<T> answers = new ArrayList<>();
        for (StreamsMetadata replica : streams.streamsMetadataForStore(storeName)) {
            answers.add(replica.hostInfo().equals(self) ? local.get() : remote.apply(replica.hostInfo()));
        }
        if (answers.isEmpty()) {
            throw unavailable("no replica holds store " + storeName + " yet (starting or rebalancing)");
        }
        return answers;
    }

    /**
     * This replica's active, up-to-date stores of a name: all partitions it owns, or 503 while
     * any of them is still restoring or moving here. Streams' own view over all partitions
     * silently leaves such partitions out, and a scatter-gather answer built on it would be
     * short: a metric missing from the catalog (404), a sum too small.
     */
    public <S> S activeStore(String storeName, QueryableStoreType<S> type) {
        StoreQueryParameters<S> all = StoreQueryParameters.fromNameAndType(storeName, type);
        try {
            for (int partition : ownPartitions(storeName)) {
                try {
                    open(streams.store(all.withPartition(partition)));
                } catch (InvalidStateStoreException e) {
                    throw unavailable("partition " + partition + " of store " + storeName
                            + " is being restored or moved to this replica");
                }
            }
            return streams.store(all);
        } catch (InvalidStateStoreException e) {
            throw unavailable("store " + storeName + " is not queryable right now (" + e.getMessage() + ")");
        }
    }

    /**
     * Streams hands out a view that looks for its partition only when it is read: a cheap read
     * makes it look now, and throw if that partition is not queryable here.
     */
    private static void open(Object store) {
        if (store instanceof ReadOnlyKeyValueStore<?, ?> keyValues) {
            keyValues.approximateNumEntries();
        } else if (store instanceof ReadOnlyWindowStore<?, ?> windows) {
            try (KeyValueIterator<?, ?> none = windows.fetchAll(Instant.EPOCH, Instant.EPOCH)) {
                none.hasNext();
            }
        }
    }

    /** The partitions of a store the group has assigned to this replica as active; none for a global store. */
    private Set<Integer> ownPartitions(String storeName) {
        Set<String> sources = sourcesByStore.getOrDefault(storeName, Set.of());
        Set<Integer> partitions = new TreeSet<>();
        if (sources.isEmpty()) {
            return partitions;
        }
        for (StreamsMetadata replica : streams.streamsMetadataForStore(storeName)) {
            if (replica.hostInfo().equals(self)) {
                for (TopicPartition tp : replica.topicPartitions()) {
                    if (sources.contains(tp.topic())) {
                        partitions.add(tp.partition());
                    }
                }
            }
        }
        return partitions;
    }

    private <T, S> Optional<T> tryLocal(
            String storeName, KeyQueryMetadata owner, QueryableStoreType<S> type, Function<LocalStore<S>, T> local) {
        int partition = owner.partition();
        try {
            S store = streams.store(StoreQueryParameters.fromNameAndType(storeName, type)
                    .enableStaleStores()
                    .withPartition(partition));
            // The key's metadata already says who is active: asking the threads instead
            // (metadataForLocalThreads) builds the whole thread and task metadata on every query.
            boolean active = streams.state() == KafkaStreams.State.RUNNING && self.equals(owner.activeHost());
            long lag = active ? 0 : offsetLag(storeName, partition);
            return Optional.of(local.apply(new LocalStore<>(store, !active, lag)));
        } catch (InvalidStateStoreException e) {
            log.debug("Local store {} partition {} not queryable: {}", storeName, partition, e.getMessage());
            return Optional.empty();
        }
    }

    private long offsetLag(String storeName, int partition) {
        try {
            Map<Integer, LagInfo> lags = streams.allLocalStorePartitionLags().get(storeName);
            LagInfo info = lags == null ? null : lags.get(partition);
            return info == null ? 0 : info.offsetLag();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static ApiException unavailable(String why) {
        return ApiException.unavailable("Cannot answer right now: " + why + "; retry shortly", RETRY_AFTER_SECONDS);
    }
}
