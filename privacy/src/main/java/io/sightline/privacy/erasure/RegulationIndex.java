package io.sightline.privacy.erasure;

import io.sightline.schemas.avro.SubjectRegulation;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store of regulations: every subject's latest regulation under its
 * key, and every regulation once more under {@code <SEQUENCE_PREFIX><partition>:<offset>},
 * in the order it arrived, so the tasks that hold per-user state can find the ones that
 * are new to them ({@link RegulationCursor}) without reading the whole store. Kafka
 * Streams runs this processor again when it restores the store, so the index is rebuilt
 * with it.
 */
public final class RegulationIndex implements Processor<String, SubjectRegulation, Void, Void> {

    /** Keys of the arrival-ordered copies of regulations: prefix, partition, zero-padded offset. */
    public static final String SEQUENCE_PREFIX = "~seq:";
    /** Keys that mark which partitions have regulations: prefix, partition (the latest one as value). */
    public static final String PARTITION_PREFIX = "~partition:";

    private final String storeName;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, SubjectRegulation> store;

    public RegulationIndex(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, SubjectRegulation> record) {
        if (record.key() == null) {
            return;
        }
        store.put(record.key(), record.value());
        SubjectRegulation regulation = record.value();
        if (regulation != null) {
            context.recordMetadata().ifPresent(m -> {
                store.put(sequenceKey(m.partition(), m.offset()), regulation);
                store.put(partitionKey(m.partition()), regulation);
            });
        }
    }

    static String partitionKey(int partition) {
        return PARTITION_PREFIX + String.format("%05d", partition);
    }

    static int partitionOf(String partitionKey) {
        return Integer.parseInt(partitionKey.substring(PARTITION_PREFIX.length()));
    }

    static String sequenceKey(int partition, long offset) {
        return SEQUENCE_PREFIX + String.format("%05d:%019d", partition, offset);
    }

    static long offsetOf(String sequenceKey) {
        return Long.parseLong(sequenceKey.substring(sequenceKey.lastIndexOf(':') + 1));
    }
}
