package io.sightline.enrich.privacy;

import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Suppression follows the identity graph: when a user is suppressed, every anonymous id
 * this task has linked to that user (by alias or identify) is suppressed too, and lifted
 * again with the user. Runs next to the identity links it reads, on a wall-clock
 * schedule: it takes the user regulations that arrived since its last run from the
 * global regulation store, finds the devices linked to those users in one pass over its
 * links, and writes a derived regulation per device to {@code privacy.regulations.v1}
 * ({@code derivedFrom} names the user), which every gateway follows. Events pass through
 * untouched. After a restart it starts from the beginning again: the derived records
 * are the same, so writing them twice changes nothing.
 */
public final class LinkedDeviceSuppression implements Processor<String, EnrichedEvent, String, SubjectRegulation> {

    private final String linksStore;
    private final String regulationsStore;
    private final Duration interval;
    private ProcessorContext<String, SubjectRegulation> context;
    private KeyValueStore<String, String> links;
    private KeyValueStore<String, SubjectRegulation> regulations;
    /** Per partition of the regulations topic, the last user regulation read. */
    private final Map<Integer, String> seen = new HashMap<>();

    public LinkedDeviceSuppression(String linksStore, String regulationsStore, Duration interval) {
        this.linksStore = linksStore;
        this.regulationsStore = regulationsStore;
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, SubjectRegulation> context) {
        this.context = context;
        this.links = context.getStateStore(linksStore);
        this.regulations = context.getStateStore(regulationsStore);
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> followUsers());
    }

    @Override
    public void process(Record<String, EnrichedEvent> record) {
        // Only the schedule writes; events are read by the identity resolver.
    }

    /** Derives the regulations of the devices linked to users regulated since the last run. */
    void followUsers() {
        Map<String, SubjectRegulation> users = new HashMap<>();
        for (int partition : partitions()) {
            String from = seen.containsKey(partition)
                    ? seen.get(partition) + "\u0000"
                    : RegulationIndex.sequenceKey(partition, 0);
            try (KeyValueIterator<String, SubjectRegulation> news =
                    regulations.range(from, RegulationIndex.sequenceKey(partition, Long.MAX_VALUE))) {
                while (news.hasNext()) {
                    KeyValue<String, SubjectRegulation> next = news.next();
                    seen.put(partition, next.key);
                    if (next.value.getRegulationType() != RegulationType.DELETE_ONLY) {
                        users.put(next.value.getSubjectId(), next.value);
                    }
                }
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

    /** The partitions of the regulations topic that hold user regulations. */
    private List<Integer> partitions() {
        List<Integer> partitions = new ArrayList<>();
        try (KeyValueIterator<String, SubjectRegulation> marks =
                regulations.prefixScan(RegulationIndex.PARTITION_PREFIX, new StringSerializer())) {
            marks.forEachRemaining(mark -> partitions.add(RegulationIndex.partitionOf(mark.key)));
        }
        return partitions;
    }

    private void derive(String device, SubjectRegulation user) {
        String key = Topics.subjectKey(SubjectType.ANONYMOUS_ID, device);
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
