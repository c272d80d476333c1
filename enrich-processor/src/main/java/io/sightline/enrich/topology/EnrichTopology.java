package io.sightline.enrich.topology;

import io.sightline.common.streams.CountSeries;
import io.sightline.common.streams.DeadLetters;
import io.sightline.common.streams.ReceiveTimeExtractor;
import io.sightline.enrich.catalog.ProductJson;
import io.sightline.enrich.context.ContextEnricher;
import io.sightline.enrich.context.GeoLookup;
import io.sightline.enrich.dedup.Checked;
import io.sightline.enrich.dedup.DedupProcessor;
import io.sightline.enrich.identity.IdentityResolver;
import io.sightline.enrich.privacy.LinkedDeviceSuppression;
import io.sightline.enrich.profile.TraitsMerger;
import io.sightline.enrich.session.SessionProcessor;
import io.sightline.privacy.PiiHasher;
import io.sightline.privacy.erasure.ErasedStore;
import io.sightline.privacy.erasure.ErasureTopology;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.CatalogProduct;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.UserProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Raw events to enriched events, in stages:
 * <ol>
 *   <li>on the raw partitions, by receive time: event-time checks (future timestamps
 *       clamped, rejects to the dead-letter topic through a branch) and exact dedup by messageId per source (duplicates
 *       are counted per source and minute of arrival into the series
 *       {@code duplicate_events{source=...}} on {@code metrics.windowed.v1});</li>
 *   <li>stateless context: geo, IP anonymization, PII hashing, user agent, product id;</li>
 *   <li>keyed by device: alias links resolve anonymous ids to known users;</li>
 *   <li>keyed by user: sessions, group traits, the profile merged from identify
 *       calls (also written to {@code users.profile.v1}), then the product catalog.</li>
 * </ol>
 * A user without a profile yet, or a product not in the catalog, never holds an event
 * back: it goes on with nulls.
 */
public final class EnrichTopology {

    public static final String PROFILE_STORE = "user-profiles";
    public static final String DEDUP_STORE = "dedup-message-ids";
    public static final String IDENTITY_STORE = "identity-links";
    public static final String SESSION_STORE = "user-sessions";
    public static final String GROUP_STORE = "user-groups";
    public static final String CATALOG_STORE = "catalog-products";
    /** Every subject's latest regulation, global: what the linked-device suppression and the erasures read. */
    public static final String REGULATIONS_STORE = ErasureTopology.REGULATIONS_STORE;

    private static final String LINKED_DEVICES = "suppress-linked-devices";

    public static final String COMPONENT = "enrich-processor";
    public static final String DUPLICATE_METRIC = "duplicate_events";
    private static final String DUPLICATES = "duplicates";
    public static final String DUPLICATE_COUNTS_STORE = CountSeries.storeName(DUPLICATES);
    /**
     * Duplicates are counted by receive time, which can lag between raw partitions (one
     * catching up after a restart): a generous grace keeps such counts; it costs only an
     * hour of per-minute counts per source in the store.
     */
    static final Duration DUPLICATE_COUNT_GRACE = Duration.ofHours(1);

    /**
     * The stores that hold no subject ids, and why; every other store is erased on deletion
     * (checked by {@code PersonalDataStoresTest}).
     */
    public static final Map<String, String> STORES_WITHOUT_SUBJECTS = Map.of(
            DEDUP_STORE, "message ids by source and when they arrived; a message id is the SDK's, not a user's",
            DUPLICATE_COUNTS_STORE, "counts of duplicates per source and minute",
            CATALOG_STORE, "the product catalog, from catalog.products.v1");

    private EnrichTopology() {}

    /** The topology with default options. */
    public static Topology build(Topics topics) {
        return build(topics, EnrichSettings.defaults());
    }

    public static Topology build(Topics topics, EnrichSettings options) {
        Topic<String, TrackedEvent> raw = topics.eventsRaw();
        Topic<String, UserProfile> profilesTopic = topics.usersProfile();
        Topic<String, EnrichedEvent> enriched = topics.eventsEnriched();
        Topic<String, DeadLetter> invalid = topics.eventsInvalid();
        Topic<String, CatalogProduct> catalogTopic = topics.catalogProducts();
        Topic<String, SubjectRegulation> regulationsTopic = topics.privacyRegulations();
        StreamsBuilder builder = new StreamsBuilder();
        ErasureTopology.addRegulations(builder, topics);

        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(
                        DEDUP_STORE, options.dedupWindow().multipliedBy(2), options.dedupWindow(), false),
                Serdes.String(),
                Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(IDENTITY_STORE), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SESSION_STORE), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(GROUP_STORE), Serdes.String(), Serdes.String()));

        Map<String, KStream<String, Checked>> checked = builder.stream(
                        raw.name(),
                        Consumed.with(raw.keySerde(), raw.valueSerde())
                                .withTimestampExtractor(new ReceiveTimeExtractor())
                                .withName("raw-events"))
                .processValues(
                        () -> new DedupProcessor(
                                DEDUP_STORE, options.dedupWindow(), options.futureTolerance(), options.maxPast()),
                        Named.as("check-and-dedup"),
                        DEDUP_STORE)
                .split(Named.as("checked-"))
                .branch((key, c) -> c.rejected(), Branched.as("rejected"))
                .branch((key, c) -> c.duplicate(), Branched.as("duplicate"))
                .defaultBranch(Branched.as("accepted"));

        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        CountSeries.perMinute(
                        checked.get("checked-duplicate"),
                        List.of("source"),
                        (key, c) -> List.of(c.event().getSource()),
                        DUPLICATE_METRIC,
                        DUPLICATES,
                        DUPLICATE_COUNT_GRACE)
                .to(
                        metrics.name(),
                        Produced.with(metrics.keySerde(), metrics.valueSerde())
                                .withName("duplicates-to-metrics-windowed"));

        ContextEnricher contextEnricher = new ContextEnricher(
                new PiiHasher(options.piiKeys(), options.piiSecret()),
                options.geoDatabase().map(GeoLookup::open),
                options.productIdProperty());

        // A dead letter keeps the event for debugging, with its personal data masked as in enriched events.
        DeadLetters.sendTo(
                checked.get("checked-rejected")
                        .mapValues(
                                c -> deadLetter(c, contextEnricher.masked(c.event()), raw), Named.as("to-dead-letter")),
                invalid,
                "to-events-invalid");

        KStream<String, EnrichedEvent> byDevice = checked.get("checked-accepted")
                .mapValues(c -> contextEnricher.enrich(c.event()), Named.as("enrich-context"))
                .selectKey((key, event) -> IdentityResolver.deviceKey(event.getEvent()), Named.as("key-by-device"))
                .repartition(Repartitioned.with(enriched.keySerde(), enriched.valueSerde())
                        .withName("events-by-device"));
        // Suppression follows the identity graph: devices linked to a suppressed user are suppressed too.
        String linkedDevicesRead = ErasureTopology.addProgressStore(builder, LINKED_DEVICES);
        byDevice.process(
                        () -> new LinkedDeviceSuppression(
                                IDENTITY_STORE, REGULATIONS_STORE, linkedDevicesRead, ErasureTopology.INTERVAL),
                        Named.as(LINKED_DEVICES),
                        IDENTITY_STORE,
                        linkedDevicesRead)
                .to(
                        regulationsTopic.name(),
                        Produced.with(regulationsTopic.keySerde(), regulationsTopic.valueSerde())
                                .withName("to-privacy-regulations"));
        ErasureTopology.erase(
                builder, byDevice, topics, COMPONENT, "device-subjects", List.of(ErasedStore.byDevice(IDENTITY_STORE)));
        KStream<String, EnrichedEvent> byUser = byDevice.processValues(
                        () -> new IdentityResolver(IDENTITY_STORE), Named.as("resolve-identity"), IDENTITY_STORE)
                .selectKey((key, event) -> event.getUserKey(), Named.as("key-by-user"))
                .repartition(Repartitioned.with(enriched.keySerde(), enriched.valueSerde())
                        .withName("events-by-user"))
                .processValues(
                        () -> new SessionProcessor(SESSION_STORE, GROUP_STORE, options.sessionGap()),
                        Named.as("sessions-and-groups"),
                        SESSION_STORE,
                        GROUP_STORE);

        KTable<String, UserProfile> profiles = byUser.filter(
                        (user, event) -> event.getEvent().getType() == EventType.identify, Named.as("identify-calls"))
                .groupByKey(Grouped.with("identify-by-user", profilesTopic.keySerde(), enriched.valueSerde()))
                .aggregate(
                        () -> UserProfile.newBuilder()
                                .setUserKey("")
                                .setTraits("{}")
                                .setUpdatedAt(Instant.EPOCH)
                                .build(),
                        (user, identify, profile) -> UserProfile.newBuilder()
                                .setUserKey(user)
                                .setTraits(TraitsMerger.merge(
                                        profile.getTraits(), identify.getEvent().getTraits()))
                                .setUpdatedAt(identify.getEvent().getTimestamp())
                                .build(),
                        Named.as("merge-traits"),
                        Materialized.<String, UserProfile, KeyValueStore<Bytes, byte[]>>as(PROFILE_STORE)
                                .withKeySerde(profilesTopic.keySerde())
                                .withValueSerde(profilesTopic.valueSerde()));

        // A deleted user's sessions, groups and profile go; the profile topic gets a tombstone.
        ErasureTopology.erase(
                builder,
                byUser,
                topics,
                COMPONENT,
                "user-subjects",
                List.of(
                        ErasedStore.byUserKey(SESSION_STORE),
                        ErasedStore.byUserKey(GROUP_STORE),
                        ErasedStore.byUserKey(PROFILE_STORE).publishedTo(profilesTopic.name())));

        profiles.toStream(Named.as("profile-updates"))
                .to(
                        profilesTopic.name(),
                        Produced.with(profilesTopic.keySerde(), profilesTopic.valueSerde())
                                .withName("to-users-profile"));

        GlobalKTable<String, CatalogProduct> catalog = builder.globalTable(
                catalogTopic.name(),
                Consumed.with(catalogTopic.keySerde(), catalogTopic.valueSerde())
                        .withName("catalog"),
                Materialized.<String, CatalogProduct, KeyValueStore<Bytes, byte[]>>as(CATALOG_STORE)
                        .withKeySerde(catalogTopic.keySerde())
                        .withValueSerde(catalogTopic.valueSerde()));

        byUser.leftJoin(
                        profiles,
                        (user, event, profile) -> {
                            event.setUserTraits(profile == null ? null : profile.getTraits());
                            return event;
                        },
                        Joined.with(enriched.keySerde(), enriched.valueSerde(), profilesTopic.valueSerde())
                                .withName("join-profile"))
                // An event without a product id looks up the empty key, which no product has.
                .leftJoin(
                        catalog,
                        (user, event) -> event.getProductId() == null ? "" : event.getProductId(),
                        (event, product) -> {
                            event.setProduct(product == null ? null : ProductJson.of(product));
                            event.setEnrichedAt(Instant.now());
                            return event;
                        },
                        Named.as("join-catalog"))
                .to(
                        enriched.name(),
                        Produced.with(enriched.keySerde(), enriched.valueSerde())
                                .withName("to-events-enriched"));

        return builder.build();
    }

    private static DeadLetter deadLetter(Checked c, TrackedEvent masked, Topic<String, TrackedEvent> raw) {
        byte[] payload = raw.valueSerde().serializer().serialize(raw.name(), masked);
        return DeadLetters.of(
                COMPONENT,
                c.rejectCode(),
                c.rejectText(),
                c.event().getSource(),
                c.event().getMessageId(),
                payload,
                c.readFrom());
    }

    /** The user an event belongs to before alias links: userId once known, else the device's anonymousId. */
    public static String userKey(TrackedEvent event) {
        return event.getUserId() != null ? event.getUserId() : event.getAnonymousId();
    }
}
