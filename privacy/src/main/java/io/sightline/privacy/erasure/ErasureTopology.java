package io.sightline.privacy.erasure;

import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.SubjectRegulation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Wires erasure into a Streams application's topology: the global store of regulations
 * every task reads, and a {@link SubjectErasure} next to each group of per-user stores.
 */
public final class ErasureTopology {

    /** Every subject's latest regulation and the arrival index ({@link RegulationIndex}), global. */
    public static final String REGULATIONS_STORE = "privacy-regulations";
    /** How often each task looks for new regulations: deletions take effect within this (plus a commit). */
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    /** The prefix of every erasing processor's name: what finds them in a topology's description. */
    public static final String PREFIX = "erase-";
    /** The suffix of the store in which a processor keeps how far it read the regulations. */
    public static final String PROGRESS_SUFFIX = "-regulations-read";

    private ErasureTopology() {}

    /** Adds the global store of regulations, kept by {@link RegulationIndex}; once per topology. */
    public static void addRegulations(StreamsBuilder builder, Topics topics) {
        Topic<String, SubjectRegulation> regulations = topics.privacyRegulations();
        // The source topic is the store's changelog: global stores keep no other.
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(REGULATIONS_STORE),
                                regulations.keySerde(),
                                regulations.valueSerde())
                        .withLoggingDisabled(),
                regulations.name(),
                Consumed.with(regulations.keySerde(), regulations.valueSerde()).withName("privacy-regulations"),
                () -> new RegulationIndex(REGULATIONS_STORE));
    }

    /** Adds the store in which the processor {@code name} keeps how far it read the regulations; answers its name. */
    public static String addProgressStore(StreamsBuilder builder, String name) {
        String store = name + PROGRESS_SUFFIX;
        builder.addStateStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.Long()));
        return store;
    }

    /**
     * Erases deleted subjects from {@code erased}, stores owned by the tasks of {@code events};
     * receipts go to {@code privacy.erasure-receipts.v1}, tombstones of a published store to its topic.
     *
     * @param what what the processor erases, unique in the topology; its name is {@code erase-<what>}
     */
    public static <K, V> void erase(
            StreamsBuilder builder,
            KStream<K, V> events,
            Topics topics,
            String application,
            String what,
            List<ErasedStore> erased) {
        String name = PREFIX + what;
        List<String> published = erased.stream()
                .map(ErasedStore::publishedTo)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        if (published.size() > 1) {
            throw new IllegalArgumentException("one erasure publishes tombstones to one topic, not " + published);
        }
        String progress = addProgressStore(builder, name);
        String[] stores = Stream.concat(erased.stream().map(ErasedStore::store), Stream.of(progress))
                .toArray(String[]::new);
        Topic<String, ErasureReceipt> receipts = topics.privacyErasureReceipts();
        Map<String, KStream<String, ErasureReceipt>> out = events.process(
                        () -> new SubjectErasure<K, V>(
                                application, name, REGULATIONS_STORE, progress, erased, INTERVAL),
                        Named.as(name),
                        stores)
                .split(Named.as(name + "-"))
                .branch((key, receipt) -> receipt == null, Branched.as("tombstones"))
                .defaultBranch(Branched.as("receipts"));
        out.get(name + "-receipts")
                .to(
                        receipts.name(),
                        Produced.with(receipts.keySerde(), receipts.valueSerde())
                                .withName(name + "-to-erasure-receipts"));
        if (!published.isEmpty()) {
            // A tombstone carries no value, so the receipts' serde writes it as well as the topic's own.
            out.get(name + "-tombstones")
                    .to(
                            published.get(0),
                            Produced.with(receipts.keySerde(), receipts.valueSerde())
                                    .withName(name + "-tombstones-to-" + published.get(0)));
        }
    }
}
