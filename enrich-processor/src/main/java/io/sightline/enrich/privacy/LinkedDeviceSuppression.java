package io.sightline.enrich.privacy;

import io.sightline.privacy.erasure.RegulationCursor;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Suppression and deletion follow the identity graph: when a user is suppressed or
 * deleted, every anonymous id this task has linked to that user (by alias or identify)
 * is regulated the same way, and a suppression is lifted again with the user's. Runs next
 * to the identity links it reads, on a wall-clock schedule: it takes the user regulations
 * that arrived since its last run ({@link RegulationCursor}), finds the devices linked to
 * those users in one pass over its links, and writes a derived regulation per device to
 * {@code privacy.regulations.v1} ({@code derivedFrom} names the user), which every
 * gateway follows and which erases the device's own state. Events pass through untouched.
 */
public final class LinkedDeviceSuppression implements Processor<String, EnrichedEvent, String, SubjectRegulation> {

    private final String linksStore;
    private final String regulationsStore;
    private final String progressStore;
    private final Duration interval;
    private ProcessorContext<String, SubjectRegulation> context;
    private KeyValueStore<String, String> links;
    private KeyValueStore<String, SubjectRegulation> regulations;
    private RegulationCursor cursor;

    public LinkedDeviceSuppression(
            String linksStore, String regulationsStore, String progressStore, Duration interval) {
        this.linksStore = linksStore;
        this.regulationsStore = regulationsStore;
        this.progressStore = progressStore;
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, SubjectRegulation> context) {
        this.context = context;
        this.links = context.getStateStore(linksStore);
        this.regulations = context.getStateStore(regulationsStore);
        this.cursor = new RegulationCursor(regulations, context.getStateStore(progressStore));
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> followUsers());
    }

    @Override
    public void process(Record<String, EnrichedEvent> record) {
        // Only the schedule writes; events are read by the identity resolver.
    }

    /** Derives the regulations of the devices linked to users regulated since the last run. */
    void followUsers() {
        Map<String, SubjectRegulation> users = new HashMap<>();
        for (RegulationCursor.Arrived arrived : cursor.next()) {
            if (arrived.regulation().getSubjectType() == SubjectType.USER_ID) {
                users.put(arrived.regulation().getSubjectId(), arrived.regulation());
            }
        }
        if (users.isEmpty()) {
            return;
        }
        try (KeyValueIterator<String, String> all = links.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> link = all.next();
                SubjectRegulation user = users.get(link.value);
                if (user != null) {
                    derive(link.key, user);
                }
            }
        }
    }

    private void derive(String device, SubjectRegulation user) {
        // A deletion alone must not replace the device's suppression: it has a key of its own.
        String key = user.getRegulationType() == RegulationType.DELETE_ONLY
                ? Topics.erasureKey(SubjectType.ANONYMOUS_ID, device)
                : Topics.subjectKey(SubjectType.ANONYMOUS_ID, device);
        SubjectRegulation current = regulations.get(key);
        if (user.getRegulationType() == RegulationType.UNSUPPRESS
                && (current == null || !user.getSubjectId().equals(current.getDerivedFrom()))) {
            return; // the device is not suppressed through this user: leave it as it is
        }
        if (current != null && user.getRegulationId().equals(current.getRegulationId())) {
            return; // already derived from this regulation
        }
        SubjectRegulation derived = new SubjectRegulation(
                user.getRegulationId(),
                user.getRegulationType(),
                SubjectType.ANONYMOUS_ID,
                device,
                user.getRequestedAt(),
                user.getSubjectId());
        context.forward(new Record<>(key, derived, context.currentSystemTimeMs()));
    }
}
