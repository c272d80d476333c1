package io.sightline.privacy.erasure;

import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.RegulationType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases the subjects of deletion requests ({@code SUPPRESS_WITH_DELETE}, {@code DELETE_ONLY})
 * from the per-user stores of one task, on a wall-clock schedule: it reads the regulations
 * that arrived since its last run ({@link RegulationCursor}), deletes the subjects' keys from
 * each {@link ErasedStore} (tombstones in the changelogs), and forwards
 *
 * <ul>
 *   <li>a tombstone ({@code key}, null) per key erased from a published store, and</li>
 *   <li>its receipt ({@code <application>/<processor>/<task>}, {@link ErasureReceipt}): how far it got.</li>
 * </ul>
 *
 * Under exactly-once the deletions, the tombstones, the receipt and the cursor commit in
 * one transaction, so a receipt never claims an erasure that a crash undid. Events pass
 * through untouched: the processor hangs off the stream only to run in the tasks that own
 * the stores.
 */
public final class SubjectErasure<K, V> implements Processor<K, V, String, ErasureReceipt> {

    private static final Logger LOG = LoggerFactory.getLogger(SubjectErasure.class);

    private final String application;
    private final String name;
    private final String regulationsStore;
    private final String progressStore;
    private final List<ErasedStore> erased;
    private final Duration interval;
    private ProcessorContext<String, ErasureReceipt> context;
    private RegulationCursor cursor;
    private final List<KeyValueStore<String, ?>> stores = new ArrayList<>();
    private boolean reported;

    public SubjectErasure(
            String application,
            String name,
            String regulationsStore,
            String progressStore,
            List<ErasedStore> erased,
            Duration interval) {
        this.application = application;
        this.name = name;
        this.regulationsStore = regulationsStore;
        this.progressStore = progressStore;
        this.erased = List.copyOf(erased);
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, ErasureReceipt> context) {
        this.context = context;
        this.cursor =
                new RegulationCursor(context.getStateStore(regulationsStore), context.getStateStore(progressStore));
        for (ErasedStore store : erased) {
            stores.add(context.getStateStore(store.store()));
        }
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> erase());
    }

    @Override
    public void process(Record<K, V> record) {
        // Only the schedule erases; events belong to the processors that own the stores.
    }

    /** Erases the subjects of the deletions that arrived since the last run, and reports how far it got. */
    void erase() {
        List<RegulationCursor.Arrived> arrived = cursor.next();
        int deletions = 0;
        int keys = 0;
        for (RegulationCursor.Arrived a : arrived) {
            if (!erases(a.regulation().getRegulationType())) {
                continue;
            }
            deletions++;
            for (int i = 0; i < erased.size(); i++) {
                ErasedStore store = erased.get(i);
                for (String key : store.keys()
                        .of(a.regulation().getSubjectType(), a.regulation().getSubjectId())) {
                    // Only keys the task holds: a delete of any other would still log a tombstone.
                    KeyValueStore<String, ?> held = stores.get(i);
                    if (held.get(key) != null) {
                        held.delete(key);
                        keys++;
                        if (store.publishedTo() != null) {
                            context.forward(new Record<>(key, null, context.currentSystemTimeMs()));
                        }
                    }
                }
            }
        }
        if (!arrived.isEmpty() || !reported) {
            String task = context.taskId().toString();
            long now = context.currentSystemTimeMs();
            context.forward(new Record<>(
                    application + "/" + name + "/" + task,
                    new ErasureReceipt(application, name, task, cursor.positions(), Instant.ofEpochMilli(now)),
                    now));
            reported = true;
        }
        if (deletions > 0) {
            // Counts only: subject ids are personal data and never logged.
            LOG.info(
                    "Task {} erased {} keys for {} deletion regulations from {} stores",
                    context.taskId(),
                    keys,
                    deletions,
                    erased.size());
        }
    }

    /** Whether a regulation type erases stored state. */
    public static boolean erases(RegulationType type) {
        return type == RegulationType.SUPPRESS_WITH_DELETE || type == RegulationType.DELETE_ONLY;
    }
}
