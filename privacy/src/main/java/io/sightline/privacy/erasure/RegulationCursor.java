package io.sightline.privacy.erasure;

import io.sightline.schemas.avro.SubjectRegulation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's place in the regulations it has applied: reads the regulations that arrived
 * since its last read from the global store's arrival index ({@link RegulationIndex}),
 * and keeps how far it got, per partition of the regulations topic, in a store of the
 * task's own (with a changelog, committed with the task's other state). After a restart
 * a task goes on where it stopped, so an old deletion never erases what was collected
 * after it.
 */
public final class RegulationCursor {

    /** A regulation and where it is in the regulations topic. */
    public record Arrived(int partition, long offset, SubjectRegulation regulation) {}

    private final KeyValueStore<String, SubjectRegulation> regulations;
    private final KeyValueStore<String, Long> progress;

    /**
     * @param regulations the global store kept by {@link RegulationIndex}
     * @param progress this task's store of offsets read, keyed by partition
     */
    public RegulationCursor(
            KeyValueStore<String, SubjectRegulation> regulations, KeyValueStore<String, Long> progress) {
        this.regulations = regulations;
        this.progress = progress;
    }

    /** The regulations not read before, in arrival order within each partition; marks them read. */
    public List<Arrived> next() {
        List<Arrived> arrived = new ArrayList<>();
        for (int partition : partitions()) {
            Long read = progress.get(Integer.toString(partition));
            long from = read == null ? 0 : read + 1;
            long last = -1;
            try (KeyValueIterator<String, SubjectRegulation> news = regulations.range(
                    RegulationIndex.sequenceKey(partition, from),
                    RegulationIndex.sequenceKey(partition, Long.MAX_VALUE))) {
                while (news.hasNext()) {
                    KeyValue<String, SubjectRegulation> next = news.next();
                    last = RegulationIndex.offsetOf(next.key);
                    arrived.add(new Arrived(partition, last, next.value));
                }
            }
            if (last >= 0) {
                progress.put(Integer.toString(partition), last);
            }
        }
        return arrived;
    }

    /** Per partition (as a decimal string), the offset through which regulations were read. */
    public Map<String, Long> positions() {
        Map<String, Long> positions = new TreeMap<>();
        try (KeyValueIterator<String, Long> all = progress.all()) {
            all.forEachRemaining(p -> positions.put(p.key, p.value));
        }
        return positions;
    }

    /** The partitions of the regulations topic that have regulations. */
    private List<Integer> partitions() {
        List<Integer> partitions = new ArrayList<>();
        try (KeyValueIterator<String, SubjectRegulation> marks =
                regulations.prefixScan(RegulationIndex.PARTITION_PREFIX, new StringSerializer())) {
            marks.forEachRemaining(mark -> partitions.add(RegulationIndex.partitionOf(mark.key)));
        }
        return partitions;
    }
}
