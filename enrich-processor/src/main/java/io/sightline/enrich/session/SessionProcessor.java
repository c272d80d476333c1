package io.sightline.enrich.session;

import io.sightline.enrich.profile.TraitsMerger;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-user state that travels with events keyed by user: the session (a new one after
 * an inactivity gap in event time; ids derived from user and index, so a replay makes
 * the same ids) and the group (account) the user was last put in, with that group's
 * traits merged from the group calls.
 *
 * <p>An event older than the session's last activity joins the current session
 * rather than reopening an old one: late events must not renumber later sessions.
 */
public final class SessionProcessor implements FixedKeyProcessor<String, EnrichedEvent, EnrichedEvent> {

    private final String sessionStoreName;
    private final String groupStoreName;
    private final Duration gap;
    private FixedKeyProcessorContext<String, EnrichedEvent> context;
    private KeyValueStore<String, String> sessions;
    private KeyValueStore<String, String> groups;

    public SessionProcessor(String sessionStoreName, String groupStoreName, Duration gap) {
        this.sessionStoreName = sessionStoreName;
        this.groupStoreName = groupStoreName;
        this.gap = gap;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, EnrichedEvent> context) {
        this.context = context;
        this.sessions = context.getStateStore(sessionStoreName);
        this.groups = context.getStateStore(groupStoreName);
    }

    @Override
    public void process(FixedKeyRecord<String, EnrichedEvent> record) {
        EnrichedEvent enriched = record.value();
        String user = enriched.getUserKey();
        TrackedEvent event = enriched.getEvent();
        long time = event.getTimestamp().toEpochMilli();

        // value: "<index>|<last activity ms>"
        String state = sessions.get(user);
        int index = 0;
        long last = Long.MIN_VALUE;
        if (state != null) {
            int bar = state.indexOf('|');
            index = Integer.parseInt(state.substring(0, bar));
            last = Long.parseLong(state.substring(bar + 1));
        }
        if (index == 0 || time - last >= gap.toMillis()) {
            index++;
            last = time;
        } else {
            last = Math.max(last, time);
        }
        sessions.put(user, index + "|" + last);
        enriched.setSessionIndex(index);
        enriched.setSessionId(sessionId(user, index));

        // value: "<groupId>\n<traits JSON>"
        String group = groups.get(user);
        String groupId = group == null ? null : group.substring(0, group.indexOf('\n'));
        String groupTraits = group == null ? null : group.substring(group.indexOf('\n') + 1);
        if (event.getType() == EventType.group && event.getGroupId() != null) {
            groupTraits =
                    TraitsMerger.merge(event.getGroupId().equals(groupId) ? groupTraits : null, event.getTraits());
            groupId = event.getGroupId();
            groups.put(user, groupId + "\n" + groupTraits);
        }
        enriched.setGroupId(groupId);
        enriched.setGroupTraits(groupTraits);
        context.forward(record.withValue(enriched));
    }

    static String sessionId(String user, int index) {
        return UUID.nameUUIDFromBytes((user + "\u0000" + index).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
