package io.sightline.enrich.topology;

import io.sightline.common.streams.EventTimeExtractor;
import io.sightline.enrich.profile.TraitsMerger;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.UserProfile;
import java.time.Instant;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Raw events, re-keyed by user, with the user's traits (merged from identify calls)
 * joined on. A user without a profile yet is not held back: the event goes on with
 * null traits.
 */
public final class EnrichTopology {

    public static final String PROFILE_STORE = "user-profiles";

    private EnrichTopology() {
    }

    public static Topology build(Topics topics) {
        Topic<String, TrackedEvent> raw = topics.eventsRaw();
        Topic<String, UserProfile> profilesTopic = topics.usersProfile();
        Topic<String, EnrichedEvent> enriched = topics.eventsEnriched();
        StreamsBuilder builder = new StreamsBuilder();

        KStream<String, TrackedEvent> byUser = builder
                .stream(raw.name(), Consumed.with(raw.keySerde(), raw.valueSerde())
                        .withTimestampExtractor(new EventTimeExtractor()).withName("raw-events"))
                .selectKey((key, event) -> userKey(event), Named.as("key-by-user"))
                .repartition(Repartitioned.with(raw.keySerde(), raw.valueSerde()).withName("events-by-user"));

        KTable<String, UserProfile> profiles = byUser
                .filter((user, event) -> event.getType() == EventType.identify, Named.as("identify-calls"))
                .groupByKey(Grouped.with("identify-by-user", profilesTopic.keySerde(), raw.valueSerde()))
                .aggregate(
                        () -> UserProfile.newBuilder().setUserKey("").setTraits("{}").setUpdatedAt(Instant.EPOCH).build(),
                        (user, identify, profile) -> UserProfile.newBuilder()
                                .setUserKey(user)
                                .setTraits(TraitsMerger.merge(profile.getTraits(), identify.getTraits()))
                                .setUpdatedAt(identify.getTimestamp())
                                .build(),
                        Named.as("merge-traits"),
                        Materialized.<String, UserProfile, KeyValueStore<Bytes, byte[]>>as(PROFILE_STORE)
                                .withKeySerde(profilesTopic.keySerde()).withValueSerde(profilesTopic.valueSerde()));

        profiles.toStream(Named.as("profile-updates"))
                .to(profilesTopic.name(), Produced.with(profilesTopic.keySerde(), profilesTopic.valueSerde()).withName("to-users-profile"));

        byUser.leftJoin(profiles,
                        (user, event, profile) -> EnrichedEvent.newBuilder()
                                .setEvent(event)
                                .setUserKey(user)
                                .setUserTraits(profile == null ? null : profile.getTraits())
                                .setEnrichedAt(Instant.now())
                                .build(),
                        Joined.with(raw.keySerde(), raw.valueSerde(), profilesTopic.valueSerde()).withName("join-profile"))
                .to(enriched.name(), Produced.with(enriched.keySerde(), enriched.valueSerde()).withName("to-events-enriched"));

        return builder.build();
    }

    /** The user an event belongs to: userId once known, else the device's anonymousId. */
    public static String userKey(TrackedEvent event) {
        return event.getUserId() != null ? event.getUserId() : event.getAnonymousId();
    }
}
