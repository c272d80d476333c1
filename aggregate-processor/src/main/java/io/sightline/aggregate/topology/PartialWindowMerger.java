package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.LatenessHorizons;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
 * into the window's value and publishes it on every snapshot that changes it: the
 * latest snapshot of each partition is kept, and the merge of all of them is the value.
 * The window is final once every partition that contributed to it has sent its final
 * snapshot.
 *
 * <p>A window's snapshots are kept until this task's stream time (the partitions'
 * stream times, carried as the snapshots' timestamps; receive time) passes its close
 * time plus grace: a partition running behind the others (one catching up after a
 * restart) still gets its share in. A window whose partitions have not all closed it
 * by then is published as final with what it has. The snapshots are then kept, under
 * a revisable key, until the window's lateness horizon has passed too (plus grace):
 * every later change (late events, a lagging partition) is published again, final,
 * with its {@code revision} counted up. Snapshots arriving after that are dropped and
 * counted in the {@code late-records-dropped} sensor.
 */
public final class PartialWindowMerger implements Processor<String, PartialWindow, String, MetricWindow> {

    private final Duration grace;
    private final LatenessHorizons horizons;
    private final String storeName;
    private ProcessorContext<String, MetricWindow> context;
    private KeyValueStore<String, byte[]> store;
    private Sensor late;
    private long streamTime = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;
    /** No revisable window expires before this: most advances of the clock expire nothing, and need no scan for it. */
    private long nextExpireAt = Long.MIN_VALUE;

    public PartialWindowMerger(Duration grace, LatenessHorizons horizons, String storeName) {
        this.grace = grace;
        this.horizons = horizons;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, MetricWindow> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.late = context.metrics()
                .addRateTotalSensor(
                        "sightline-aggregate",
                        context.taskId().toString(),
                        WindowAggregator.LATE_SENSOR,
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
        long expireAt = expireAt(partial.closeAt(), partial.size());
        // A window not yet moved on is still under its open key, even if the clock says it is due:
        // the snapshot that carries the new clock may be its own final one.
        String key = partial.storeKey();
        byte[] bytes = store.get(key);
        boolean revising = bytes == null && partial.closeAt() + grace.toMillis() <= streamTime;
        if (revising) {
            if (expireAt + grace.toMillis() <= streamTime) {
                late.record();
                closeWindows();
                return;
            }
            key = PartialWindow.revisableKey(expireAt, partial.start(), partial.size(), partial.series());
            bytes = store.get(key);
            nextExpireAt = Math.min(nextExpireAt, expireAt);
        }
        Partials partials = bytes == null ? new Partials() : Partials.fromBytes(bytes);
        if (partials.put(partial.partition(), partial.isFinal(), partial.state())) {
            // Once final, a window stays final: what changes it later is a revision.
            boolean isFinal = partials.allFinal() || partials.publishedFinalBefore() || revising;
            if (isFinal) {
                partials.publishedFinal(revising);
            }
            store.put(key, partials.toBytes());
            publish(partial.start(), partial.size(), partial.series(), expireAt, partials, isFinal);
        }
        closeWindows();
    }

    private long expireAt(long closeAt, long size) {
        return closeAt + horizons.revisableAfterClose(size, grace.toMillis());
    }

    private void advance(long time) {
        if (time > streamTime) {
            streamTime = time;
            store.put(StoredStreamTime.KEY, StoredStreamTime.encode(streamTime));
        }
    }

    /**
     * Windows past close plus grace, by this task's clock: published as final if they were
     * not, and kept as revisable until their horizon plus grace; those past it are forgotten.
     */
    private void closeWindows() {
        long upTo = streamTime - grace.toMillis();
        if (streamTime < 0 || upTo < 0 || upTo == closedUpTo) {
            return;
        }
        closedUpTo = upTo;
        for (KeyValue<String, byte[]> kv : range(PartialWindow.closedUpTo(0), PartialWindow.closedUpTo(upTo))) {
            Partials partials = Partials.fromBytes(kv.value);
            PartialWindow window = PartialWindow.ofStoreKey(kv.key, size -> 0, -1, true, null);
            long expireAt = expireAt(window.closeAt(), window.size());
            if (!partials.allFinal() && !partials.publishedFinalBefore()) {
                partials.publishedFinal(false);
                publish(window.start(), window.size(), window.series(), expireAt, partials, true);
            }
            store.delete(kv.key);
            if (expireAt > upTo) {
                store.put(
                        PartialWindow.revisableKey(expireAt, window.start(), window.size(), window.series()),
                        partials.toBytes());
                nextExpireAt = Math.min(nextExpireAt, expireAt);
            }
        }
        if (upTo >= nextExpireAt) {
            for (KeyValue<String, byte[]> kv : range(PartialWindow.expiredUpTo(0), PartialWindow.expiredUpTo(upTo))) {
                store.delete(kv.key);
            }
            try (KeyValueIterator<String, byte[]> first =
                    store.range(PartialWindow.expiredUpTo(0), PartialWindow.expiredUpTo(PartialWindow.LAST))) {
                nextExpireAt = PartialWindow.leadingTime(first.hasNext() ? first.next().key : null);
            }
        }
    }

    private List<KeyValue<String, byte[]>> range(String from, String to) {
        List<KeyValue<String, byte[]>> found = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(from, to)) {
            it.forEachRemaining(found::add);
        }
        return found;
    }

    private void publish(long start, long size, String seriesKey, long expireAt, Partials partials, boolean isFinal) {
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
                .setMeasure(state.type().name().toLowerCase(Locale.ROOT))
                .setIsFinal(isFinal)
                .setValues(new HashMap<>(state.values()))
                .setRevision(partials.revisions())
                .setRevisableUntil(Instant.ofEpochMilli(expireAt));
        if (state.distribution()) {
            out.setP50(state.quantile(0.50)).setP95(state.quantile(0.95)).setP99(state.quantile(0.99));
        }
        // The window's start, not its end: the end of an open hour or day window lies
        // further in the future than brokers accept for a record timestamp.
        context.forward(new Record<>(seriesKey, out.build(), Math.max(start, 0)));
    }

    /**
     * The latest snapshot of each input partition, with whether it is that partition's
     * final one, and how often the window was published final: the first time closes
     * it, every later time is a revision.
     */
    static final class Partials {

        /** Marks the format with publication counts (older states start with the partition count, never negative). */
        private static final int WITH_PUBLICATIONS = -2;

        private record Snapshot(boolean isFinal, byte[] state) {}

        private final Map<Integer, Snapshot> byPartition = new TreeMap<>();
        private int finalPublications;

        /** Keeps a partition's snapshot; false if it is the one already kept. */
        boolean put(int partition, boolean isFinal, byte[] state) {
            Snapshot before = byPartition.put(partition, new Snapshot(isFinal, state));
            return before == null || before.isFinal() != isFinal || !Arrays.equals(before.state(), state);
        }

        /**
         * Notes a publication as final; {@code revising} says the window was closed before
         * (its first final value after closing, from late events alone, is a revision too).
         */
        void publishedFinal(boolean revising) {
            finalPublications = Math.max(finalPublications, revising ? 1 : 0) + 1;
        }

        boolean publishedFinalBefore() {
            return finalPublications > 0;
        }

        /** How many times the window changed after it was first published final (or after it closed). */
        int revisions() {
            return Math.max(0, finalPublications - 1);
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
            int size = 12;
            for (Snapshot s : byPartition.values()) {
                size += 9 + s.state().length;
            }
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
                    DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(WITH_PUBLICATIONS);
                out.writeInt(finalPublications);
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
                if (n == WITH_PUBLICATIONS) {
                    partials.finalPublications = in.readInt();
                    n = in.readInt();
                }
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
