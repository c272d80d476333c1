package io.sightline.aggregate.topology;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Combines the input partitions' snapshots of a series window ({@link PartialWindow})
 * into the window's value and publishes it on every snapshot: the latest snapshot of
 * each partition is kept, and the merge of all of them is the value. The window is
 * final once every partition that contributed to it has sent its final snapshot.
 *
 * <p>A window's snapshots are kept until this task's stream time (the partitions'
 * stream times, carried as the snapshots' timestamps) passes its close time plus grace
 * once more: a partition running behind the others (one catching up after a restart)
 * still gets its share in, and the final value is published again with it. A window
 * whose partitions have not all closed it by then is published as final with what it
 * has; snapshots arriving after that are dropped and counted in the
 * {@code late-records-dropped} sensor.
 */
public final class PartialWindowMerger implements Processor<String, PartialWindow, String, MetricWindow> {

    private final Duration grace;
    private final String storeName;
    private ProcessorContext<String, MetricWindow> context;
    private KeyValueStore<String, byte[]> store;
    private Sensor late;
    private long streamTime = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;

    public PartialWindowMerger(Duration grace, String storeName) {
        this.grace = grace;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, MetricWindow> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.late = context.metrics().addRateTotalSensor("sightline-aggregate", context.taskId().toString(), WindowAggregator.LATE_SENSOR,
                Sensor.RecordingLevel.INFO);
        streamTime = StoredStreamTime.decode(store.get(StoredStreamTime.KEY));
    }

    @Override
    public void process(Record<String, PartialWindow> record) {
        PartialWindow partial = record.value();
        if (partial == null) {
            return;
        }
        advance(record.timestamp());
        String key = partial.storeKey();
        byte[] bytes = store.get(key);
        if (bytes == null && partial.closeAt() + grace.toMillis() <= streamTime) {
            late.record();
            return;
        }
        Partials partials = bytes == null ? new Partials() : Partials.fromBytes(bytes);
        partials.put(partial.partition(), partial.isFinal(), partial.state());
        store.put(key, partials.toBytes());
        publish(partial.start(), partial.size(), partial.series(), partials, partials.allFinal());
        giveUpOnOpenWindows();
    }

    private void advance(long time) {
        if (time > streamTime) {
            streamTime = time;
            store.put(StoredStreamTime.KEY, StoredStreamTime.encode(streamTime));
        }
    }

    /** Windows past close plus grace, by this task's clock: published as final if they were not, then forgotten. */
    private void giveUpOnOpenWindows() {
        long upTo = streamTime - grace.toMillis();
        if (streamTime < 0 || upTo < 0 || upTo == closedUpTo) {
            return;
        }
        closedUpTo = upTo;
        List<KeyValue<String, byte[]>> expired = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(PartialWindow.closedUpTo(0), PartialWindow.closedUpTo(upTo))) {
            it.forEachRemaining(expired::add);
        }
        for (KeyValue<String, byte[]> kv : expired) {
            Partials partials = Partials.fromBytes(kv.value);
            if (!partials.allFinal()) {
                PartialWindow window = PartialWindow.ofStoreKey(kv.key, -1, true, null);
                publish(window.start(), window.size(), window.series(), partials, true);
            }
            store.delete(kv.key);
        }
    }

    private void publish(long start, long size, String seriesKey, Partials partials, boolean isFinal) {
        MetricState state = partials.merged();
        SeriesKey series = SeriesKey.parse(seriesKey);
        MetricWindow.Builder out = MetricWindow.newBuilder()
                .setMetric(series.metric())
                .setDimensions(Map.copyOf(series.dimensions()))
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start + size))
                .setValue(state.value())
                .setUpdatedAt(Instant.now())
                .setSampleCount(state.samples())
                .setIsFinal(isFinal)
                .setValues(new HashMap<>(state.values()));
        if (state.distribution()) {
            out.setP50(state.quantile(0.50)).setP95(state.quantile(0.95)).setP99(state.quantile(0.99));
        }
        // The window's start, not its end: the end of an open hour or day window lies
        // further in the future than brokers accept for a record timestamp.
        context.forward(new Record<>(seriesKey, out.build(), Math.max(start, 0)));
    }

    /** The latest snapshot of each input partition, with whether it is that partition's final one. */
    static final class Partials {

        private record Snapshot(boolean isFinal, byte[] state) {
        }

        private final Map<Integer, Snapshot> byPartition = new TreeMap<>();

        void put(int partition, boolean isFinal, byte[] state) {
            byPartition.put(partition, new Snapshot(isFinal, state));
        }

        boolean allFinal() {
            return byPartition.values().stream().allMatch(Snapshot::isFinal);
        }

        MetricState merged() {
            MetricState merged = null;
            for (Snapshot s : byPartition.values()) {
                MetricState state = MetricState.fromBytes(s.state());
                if (merged == null) {
                    merged = state;
                } else {
                    merged.merge(state);
                }
            }
            return merged;
        }

        byte[] toBytes() {
            int size = 4;
            for (Snapshot s : byPartition.values()) {
                size += 9 + s.state().length;
            }
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(size); DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(byPartition.size());
                for (Map.Entry<Integer, Snapshot> e : byPartition.entrySet()) {
                    out.writeInt(e.getKey());
                    out.writeBoolean(e.getValue().isFinal());
                    out.writeInt(e.getValue().state().length);
                    out.write(e.getValue().state());
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Partials fromBytes(byte[] data) {
            Partials partials = new Partials();
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    int partition = in.readInt();
                    boolean isFinal = in.readBoolean();
                    byte[] state = new byte[in.readInt()];
                    in.readFully(state);
                    partials.put(partition, isFinal, state);
                }
                return partials;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
