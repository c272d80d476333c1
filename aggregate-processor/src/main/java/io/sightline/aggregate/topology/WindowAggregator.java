package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.LatenessHorizons;
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
 * the window's end plus grace (plus the funnel's time limit for funnels). Aggregating
 * before the repartition means only snapshots of changed windows travel through it,
 * not one record per event and metric.
 *
 * <p>Stream time is receive time (see {@code ReceiveTimeExtractor}), so no client's
 * clock closes windows; each contribution lands in the window of its own event time.
 * A closed window keeps its state until the lateness horizon of its size has passed
 * ({@link WindowDeadlines}): a late event updates it, and the changed window is
 * published again, final (a revision). After the horizon the state is deleted.
 *
 * <p>Store keys start with the close time, zero-padded, so closing is one range scan
 * over the front of the store; closed windows move to keys that start with
 * {@link PartialWindow#REVISABLE} and their expiry, so expiring is one scan too. Stream
 * time is kept in the store: after a restart a late event is judged exactly as it
 * would have been before. So is the set of windows updated since they were last
 * published (a marker per window, written once per emit interval): an update committed
 * just before a restart or a crash is still published, not held back until its window
 * changes again or closes.
 *
 * <p>A contribution later than its window's horizon is dropped, counted in the
 * {@code late-records-dropped} sensor, and emitted as {@link Emitted#late} keyed by its
 * source with the series name, once per series window size it missed, stamped with the
 * stream time that made it late (the minute it arrived, not its long-closed minute).
 */
public final class WindowAggregator implements Processor<String, Contribution, String, Emitted> {

    public static final String LATE_SENSOR = "late-records-dropped";
    /** Marks a window updated since it was last published; sorts after every window key. */
    private static final String DIRTY_PREFIX = "~dirty|";

    private static final byte[] MARK = {1};

    private final MetricDefinitions definitions;
    private final WindowDeadlines deadlines;
    private final Duration emitInterval;
    private final String storeName;
    private ProcessorContext<String, Emitted> context;
    private MetricStateStore store;
    private Sensor late;
    private long streamTime = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;
    /** No window closes before this, and no revisable window expires before the next: most advances of stream time do neither. */
    private long nextCloseAt = Long.MIN_VALUE;

    private long nextExpireAt = Long.MIN_VALUE;
    private final Set<String> dirty = new LinkedHashSet<>();
    /** Per metric (by index): series names per window. */
    private final String[][] seriesNames;

    private int partition;

    public WindowAggregator(
            MetricDefinitions definitions,
            Duration grace,
            LatenessHorizons horizons,
            Duration emitInterval,
            String storeName) {
        this.definitions = definitions;
        this.deadlines = new WindowDeadlines(definitions, grace, horizons);
        this.emitInterval = emitInterval;
        this.storeName = storeName;
        List<MetricDefinition> metrics = definitions.metrics();
        this.seriesNames = new String[metrics.size()][];
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            seriesNames[i] = m.windows().stream().map(m::seriesName).toArray(String[]::new);
        }
    }

    @Override
    public void init(ProcessorContext<String, Emitted> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.partition = context.taskId().partition();
        this.late = context.metrics()
                .addRateTotalSensor(
                        "sightline-aggregate", context.taskId().toString(), LATE_SENSOR, Sensor.RecordingLevel.INFO);
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
        if (c == null
                || c.metric() >= metrics.size()
                || !record.key().startsWith(metrics.get(c.metric()).name() + "{")) {
            // written under a different definitions file: the metric no longer exists here
            late.record();
            return;
        }
        MetricDefinition m = metrics.get(c.metric());
        String dims = record.key().substring(m.name().length());
        advance(record.timestamp());
        // Windows due by the new stream time close first, so each window's phase follows from the clock.
        closeWindows();
        long[] sizes = deadlines.windowSizes(c.metric());
        for (int w = 0; w < sizes.length; w++) {
            long size = sizes[w];
            long windowStart = WindowDeadlines.windowStart(c.time(), size);
            long closeAt = deadlines.closeAt(c.metric(), windowStart, size);
            long expireAt = closeAt + deadlines.revisableAfterClose(size);
            String series = seriesNames[c.metric()][w] + dims;
            if (expireAt <= streamTime) {
                late.record();
                if (c.source() != null) {
                    context.forward(new Record<>(
                            c.source(), Emitted.late(seriesNames[c.metric()][w]), Math.max(streamTime, 0)));
                }
                continue;
            }
            boolean closed = closeAt <= streamTime;
            String key = closed
                    ? PartialWindow.revisableKey(expireAt, windowStart, size, series)
                    : PartialWindow.storeKey(closeAt, windowStart, size, series);
            if (!closed) {
                nextCloseAt = Math.min(nextCloseAt, closeAt);
            } else {
                nextExpireAt = Math.min(nextExpireAt, expireAt);
            }
            MetricState state = store.state(key);
            if (state == null) {
                state = empty(m);
            }
            state.add(c);
            store.update(key, state);
            if (emitInterval.isZero()) {
                emit(key, state, closed);
            } else if (dirty.add(key)) {
                store.putRaw(DIRTY_PREFIX + key, MARK);
            }
        }
    }

    private MetricState empty(MetricDefinition m) {
        Measure measure = m.measure();
        if (measure.type() == Measure.Type.RATIO) {
            return MetricState.empty(
                    Measure.Type.RATIO,
                    definitions.get(measure.numerator()).measure().type(),
                    definitions.get(measure.denominator()).measure().type(),
                    0);
        }
        return MetricState.empty(
                measure.type(),
                null,
                null,
                measure.type() == Measure.Type.FUNNEL ? measure.steps().size() : 0);
    }

    private void advance(long time) {
        if (time > streamTime) {
            streamTime = time;
            store.putRaw(StoredStreamTime.KEY, StoredStreamTime.encode(streamTime));
        }
    }

    /**
     * Publishes windows whose close time has come as final and keeps them, revisable,
     * until their horizon; deletes revisable windows whose horizon has passed (publishing
     * a revision not yet published first).
     */
    private void closeWindows() {
        if (streamTime < 0 || streamTime == closedUpTo) {
            return;
        }
        closedUpTo = streamTime;
        if (streamTime >= nextCloseAt) {
            for (String key : store.windowKeys(PartialWindow.closedUpTo(0), PartialWindow.closedUpTo(streamTime))) {
                MetricState state = store.state(key);
                PartialWindow window = emit(key, state, true);
                store.delete(key);
                if (dirty.remove(key)) {
                    store.deleteRaw(DIRTY_PREFIX + key);
                }
                long expireAt = window.closeAt() + deadlines.revisableAfterClose(window.size());
                if (expireAt > streamTime) {
                    store.update(
                            PartialWindow.revisableKey(expireAt, window.start(), window.size(), window.series()),
                            state);
                    nextExpireAt = Math.min(nextExpireAt, expireAt);
                }
            }
            nextCloseAt = PartialWindow.leadingTime(
                    store.firstWindowKey(PartialWindow.closedUpTo(0), PartialWindow.closedUpTo(PartialWindow.LAST)));
        }
        if (streamTime >= nextExpireAt) {
            for (String key : store.windowKeys(PartialWindow.expiredUpTo(0), PartialWindow.expiredUpTo(streamTime))) {
                if (dirty.remove(key)) {
                    emit(key, store.state(key), true);
                    store.deleteRaw(DIRTY_PREFIX + key);
                }
                store.delete(key);
            }
            nextExpireAt = PartialWindow.leadingTime(
                    store.firstWindowKey(PartialWindow.expiredUpTo(0), PartialWindow.expiredUpTo(PartialWindow.LAST)));
        }
    }

    private void flushDirty() {
        for (String key : dirty) {
            MetricState state = store.state(key);
            if (state != null) {
                emit(key, state, PartialWindow.isRevisable(key));
            }
            store.deleteRaw(DIRTY_PREFIX + key);
        }
        dirty.clear();
    }

    private PartialWindow emit(String storeKey, MetricState state, boolean isFinal) {
        PartialWindow partial =
                PartialWindow.ofStoreKey(storeKey, deadlines::revisableAfterClose, partition, isFinal, state.toBytes());
        // Stamped with this partition's stream time: the merger's clock for giving up on partitions that never close a
        // window.
        context.forward(new Record<>(partial.series(), Emitted.update(partial), Math.max(streamTime, 0)));
        return partial;
    }
}
