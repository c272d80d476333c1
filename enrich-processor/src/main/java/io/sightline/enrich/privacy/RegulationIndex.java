package io.sightline.enrich.privacy;

import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store of regulations: every subject's latest regulation under its
 * key, and each user's regulation once more under {@code <SEQUENCE_PREFIX><offset>},
 * in the order they arrived, so the tasks that hold identity links can find the ones
 * that are new to them without reading the whole store.
 */
public final class RegulationIndex implements Processor<String, SubjectRegulation, Void, Void> {

    /** Keys of the arrival-ordered copies of user regulations: prefix, partition, zero-padded offset. */
    public static final String SEQUENCE_PREFIX = "~seq:";
    /** Keys that mark which partitions have user regulations: prefix, partition (the latest one as value). */
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
        if (regulation != null && regulation.getSubjectType() == SubjectType.USER_ID) {
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
}
