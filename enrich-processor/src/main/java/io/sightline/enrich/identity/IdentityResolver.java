package io.sightline.enrich.identity;

import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Links anonymous ids to known user ids, so a user's pre-signup events count for the
 * same user as the later ones. Runs on events keyed by device ({@link #deviceKey}):
 * an alias call (previousId to userId), or any call carrying both an anonymousId and
 * a userId, records the link; an event with only an anonymousId takes the linked
 * userId as its user key from then on.
 */
public final class IdentityResolver implements FixedKeyProcessor<String, EnrichedEvent, EnrichedEvent> {

    private final String storeName;
    private FixedKeyProcessorContext<String, EnrichedEvent> context;
    private KeyValueStore<String, String> links;

    public IdentityResolver(String storeName) {
        this.storeName = storeName;
    }

    /** The key that brings an anonymous id and its link to one partition. */
    public static String deviceKey(TrackedEvent event) {
        if (event.getType() == EventType.alias && event.getPreviousId() != null) {
            return event.getPreviousId();
        }
        return event.getAnonymousId() != null ? event.getAnonymousId() : event.getUserId();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, EnrichedEvent> context) {
        this.context = context;
        this.links = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, EnrichedEvent> record) {
        EnrichedEvent enriched = record.value();
        TrackedEvent event = enriched.getEvent();
        String userKey;
        if (event.getType() == EventType.alias && event.getPreviousId() != null && event.getUserId() != null) {
            links.put(event.getPreviousId(), event.getUserId());
            userKey = event.getUserId();
        } else if (event.getUserId() != null) {
            if (event.getAnonymousId() != null && !event.getUserId().equals(links.get(event.getAnonymousId()))) {
                links.put(event.getAnonymousId(), event.getUserId());
            }
            userKey = event.getUserId();
        } else {
            String linked = event.getAnonymousId() == null ? null : links.get(event.getAnonymousId());
            userKey = linked != null ? linked : event.getAnonymousId();
        }
        if (userKey == null) {
            throw new IllegalArgumentException("event " + event.getMessageId() + " has neither userId nor anonymousId");
        }
        enriched.setUserKey(userKey);
        context.forward(record.withValue(enriched));
    }
}
