package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.Measure;
import io.sightline.aggregate.definition.MetricDefinition;
import io.sightline.aggregate.definition.MetricDefinitions;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Folds contributions into window states of this input partition and publishes them
 * as {@link PartialWindow} snapshots, keyed by series, for the {@link PartialWindowMerger}
 * to combine across partitions: updates of open windows continuously (every update, or
 * the changed ones every emit interval), and a final snapshot when stream time passes
 * the window's end plus grace (plus the funnel's time limit for funnels), after which
 * the state is deleted. Aggregating before the repartition means only snapshots of
 * changed windows travel through it, not one record per event and metric.
 *
 * <p>Store keys start with the close time, zero-padded, so closing is one range scan
 * over the front of the store. Stream time is kept in the store too: after a restart
 * a late event is judged exactly as it would have been before. So is the set of windows
 * updated since they were last published (a marker per window, written once per emit
 * interval): an update committed just before a restart or a crash is still published,
 * not held back until its window changes again or closes.
 *
 * <p>Late contributions are dropped and counted in the {@code late-records-dropped}
 * sensor (once per contribution and window size). An event is also emitted as a
 * {@link Emitted#lateEvent()} keyed by its source, once, when the contribution that
 * carries its source (its first) is dropped from any of its windows; it is stamped
 * with the stream time that made it late, so the topology counts it in the minute it
 * arrived, not in its long-closed event-time minute.
 */
public final class WindowAggregator implements Processor<String, Contribution, String, Emitted> {

    public static final String LATE_SENSOR = "late-records-dropped";
    /** Marks a window updated since it was last published; sorts after every window key. */
    private static final String DIRTY_PREFIX = "~dirty|";
    private static final byte[] MARK = {1};

    private final MetricDefinitions definitions;
    private final Duration emitInterval;
    private final String storeName;
    private ProcessorContext<String, Emitted> context;
    private WindowStateStore store;
    private Sensor late;
    private long streamTime = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;
    /** No window closes before this: stream time advances with nearly every event, and most advances close nothing. */
    private long nextCloseAt = Long.MIN_VALUE;
    private final Set<String> dirty = new LinkedHashSet<>();
    /** Per metric (by index): window sizes in ms, series names per window, time added to a window's end before it closes. */
    private final long[][] windowSizes;
    private final String[][] seriesNames;
    private final long[] closeAfterEnd;
    private int partition;

    public WindowAggregator(MetricDefinitions definitions, Duration grace, Duration emitInterval, String storeName) {
        this.definitions = definitions;
        this.emitInterval = emitInterval;
        this.storeName = storeName;
        List<MetricDefinition> metrics = definitions.metrics();
        this.windowSizes = new long[metrics.size()][];
        this.seriesNames = new String[metrics.size()][];
        this.closeAfterEnd = new long[metrics.size()];
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            windowSizes[i] = m.windowSizes().stream().mapToLong(Duration::toMillis).toArray();
            seriesNames[i] = m.windows().stream().map(m::seriesName).toArray(String[]::new);
            closeAfterEnd[i] = grace.toMillis() + (m.measure().type() == Measure.Type.FUNNEL ? m.measure().within().toMillis() : 0);
        }
    }

    @Override
    public void init(ProcessorContext<String, Emitted> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.partition = context.taskId().partition();
        this.late = context.metrics().addRateTotalSensor("sightline-aggregate", context.taskId().toString(), LATE_SENSOR,
                Sensor.RecordingLevel.INFO);
        streamTime = StoredStreamTime.decode(store.getRaw(StoredStreamTime.KEY));
        // Updates committed but not yet published when the last instance stopped (or was
        // killed) are published by this one: the committed state says which they are.
        try (KeyValueIterator<String, byte[]> marks = store.prefixScanRaw(DIRTY_PREFIX)) {
            marks.forEachRemaining(kv -> dirty.add(kv.key.substring(DIRTY_PREFIX.length())));
        }
        if (!emitInterval.isZero()) {
            context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> flushDirty());
        } else if (!dirty.isEmpty()) {
            // left by an instance that ran with an emit interval
            context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> flushDirty());
        }
    }

    @Override
    public void process(Record<String, Contribution> record) {
        Contribution c = record.value();
        List<MetricDefinition> metrics = definitions.metrics();
        if (c == null || c.metric() >= metrics.size() || !record.key().startsWith(metrics.get(c.metric()).name() + "{")) {
            // written under a different definitions file: the metric no longer exists here
            late.record();
            return;
        }
        MetricDefinition m = metrics.get(c.metric());
        String dims = record.key().substring(m.name().length());
        advance(record.timestamp());
        boolean dropped = false;
        long[] sizes = windowSizes[c.metric()];
        for (int w = 0; w < sizes.length; w++) {
            long size = sizes[w];
            long windowStart = c.time() - Math.floorMod(c.time(), size);
            long closeAt = windowStart + size + closeAfterEnd[c.metric()];
            if (closeAt <= streamTime) {
                late.record();
                dropped = true;
                continue;
            }
            nextCloseAt = Math.min(nextCloseAt, closeAt);
            String key = PartialWindow.storeKey(closeAt, windowStart, size, seriesNames[c.metric()][w] + dims);
            MetricState state = store.state(key);
            if (state == null) {
                state = empty(m);
            }
            state.add(c);
            store.update(key, state);
            if (emitInterval.isZero()) {
                emit(key, state, false);
            } else if (dirty.add(key)) {
                store.putRaw(DIRTY_PREFIX + key, MARK);
            }
        }
        if (dropped && c.source() != null) {
            context.forward(new Record<>(c.source(), Emitted.lateEvent(), Math.max(streamTime, 0)));
        }
        closeWindows();
    }

    private MetricState empty(MetricDefinition m) {
        Measure measure = m.measure();
        if (measure.type() == Measure.Type.RATIO) {
            return MetricState.empty(Measure.Type.RATIO, definitions.get(measure.numerator()).measure().type(),
                    definitions.get(measure.denominator()).measure().type(), 0);
        }
        return MetricState.empty(measure.type(), null, null, measure.type() == Measure.Type.FUNNEL ? measure.steps().size() : 0);
    }

    private void advance(long time) {
        if (time > streamTime) {
            streamTime = time;
            store.putRaw(StoredStreamTime.KEY, StoredStreamTime.encode(streamTime));
        }
    }

    private void closeWindows() {
        if (streamTime < 0 || streamTime == closedUpTo || streamTime < nextCloseAt) {
            return;
        }
        closedUpTo = streamTime;
        for (String key : store.windowKeys(PartialWindow.closedUpTo(0), PartialWindow.closedUpTo(streamTime))) {
            emit(key, store.state(key), true);
            store.delete(key);
            if (dirty.remove(key)) {
                store.deleteRaw(DIRTY_PREFIX + key);
            }
        }
        nextCloseAt = store.earliestCloseAt();
    }

    private void flushDirty() {
        for (String key : dirty) {
            MetricState state = store.state(key);
            if (state != null) {
                emit(key, state, false);
            }
            store.deleteRaw(DIRTY_PREFIX + key);
        }
        dirty.clear();
    }

    private void emit(String storeKey, MetricState state, boolean isFinal) {
        PartialWindow partial = PartialWindow.ofStoreKey(storeKey, partition, isFinal, state.toBytes());
        // Stamped with this partition's stream time: the merger's clock for giving up on partitions that never close a window.
        context.forward(new Record<>(partial.series(), Emitted.update(partial), Math.max(streamTime, 0)));
    }
}
