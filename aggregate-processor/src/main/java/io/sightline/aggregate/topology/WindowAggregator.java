package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.Measure;
import io.sightline.aggregate.definition.MetricDefinition;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds contributions into per-series window states and publishes them: updates of
 * open windows continuously (every update, or the changed ones every emit interval),
 * and a final value when stream time passes the window's end plus grace (plus the
 * funnel's time limit for funnels), after which the state is deleted.
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
    private static final String STREAM_TIME_KEY = "~stream-time";
    /** Marks a window updated since it was last published; sorts after every window key. */
    private static final String DIRTY_PREFIX = "~dirty|";
    private static final byte[] MARK = {1};

    private final MetricDefinitions definitions;
    private final Duration grace;
    private final Duration emitInterval;
    private final String storeName;
    private ProcessorContext<String, Emitted> context;
    private KeyValueStore<String, byte[]> store;
    private Sensor late;
    private long streamTime = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;
    private final Set<String> dirty = new LinkedHashSet<>();

    public WindowAggregator(MetricDefinitions definitions, Duration grace, Duration emitInterval, String storeName) {
        this.definitions = definitions;
        this.grace = grace;
        this.emitInterval = emitInterval;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, Emitted> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.late = context.metrics().addRateTotalSensor("sightline-aggregate", context.taskId().toString(), LATE_SENSOR,
                Sensor.RecordingLevel.INFO);
        byte[] saved = store.get(STREAM_TIME_KEY);
        if (saved != null) {
            streamTime = Long.parseLong(new String(saved, java.nio.charset.StandardCharsets.US_ASCII));
        }
        // Updates committed but not yet published when the last instance stopped (or was
        // killed) are published by this one: the committed state says which they are.
        try (KeyValueIterator<String, byte[]> marks = store.prefixScan(DIRTY_PREFIX, new StringSerializer())) {
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
        for (int w = 0; w < m.windows().size(); w++) {
            long size = m.windowSizes().get(w).toMillis();
            long windowStart = c.time() - Math.floorMod(c.time(), size);
            long closeAt = windowStart + size + grace.toMillis()
                    + (m.measure().type() == Measure.Type.FUNNEL ? m.measure().within().toMillis() : 0);
            if (closeAt <= streamTime) {
                late.record();
                dropped = true;
                continue;
            }
            String key = String.format("%015d|%015d|%d|%s", closeAt, windowStart, size, m.seriesName(m.windows().get(w)) + dims);
            byte[] bytes = store.get(key);
            MetricState state = bytes != null ? MetricState.fromBytes(bytes) : empty(m);
            state.add(c);
            store.put(key, state.toBytes());
            if (emitInterval.isZero()) {
                emit(key, state, false);
            } else if (dirty.add(key)) {
                store.put(DIRTY_PREFIX + key, MARK);
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
            store.put(STREAM_TIME_KEY, Long.toString(streamTime).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    private void closeWindows() {
        if (streamTime < 0 || streamTime == closedUpTo) {
            return;
        }
        closedUpTo = streamTime;
        List<KeyValue<String, byte[]>> closed = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(String.format("%015d", 0), String.format("%015d|~", streamTime))) {
            it.forEachRemaining(closed::add);
        }
        for (KeyValue<String, byte[]> kv : closed) {
            emit(kv.key, MetricState.fromBytes(kv.value), true);
            store.delete(kv.key);
            if (dirty.remove(kv.key)) {
                store.delete(DIRTY_PREFIX + kv.key);
            }
        }
    }

    private void flushDirty() {
        for (String key : dirty) {
            byte[] bytes = store.get(key);
            if (bytes != null) {
                emit(key, MetricState.fromBytes(bytes), false);
            }
            store.delete(DIRTY_PREFIX + key);
        }
        dirty.clear();
    }

    private void emit(String storeKey, MetricState state, boolean isFinal) {
        String[] parts = storeKey.split("\\|", 4);
        long start = Long.parseLong(parts[1]);
        long size = Long.parseLong(parts[2]);
        String seriesKey = parts[3];
        SeriesKey series = SeriesKey.parse(seriesKey);
        Map<String, Double> values = new HashMap<>(state.values());
        MetricWindow.Builder out = MetricWindow.newBuilder()
                .setMetric(series.metric())
                .setDimensions(Map.copyOf(series.dimensions()))
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start + size))
                .setValue(state.value())
                .setUpdatedAt(Instant.now())
                .setSampleCount(state.samples())
                .setIsFinal(isFinal)
                .setValues(values);
        if (state.distribution()) {
            out.setP50(state.quantile(0.50)).setP95(state.quantile(0.95)).setP99(state.quantile(0.99));
        }
        // The window's start, not its end: the end of an open hour or day window lies
        // further in the future than brokers accept for a record timestamp.
        context.forward(new Record<>(seriesKey, Emitted.update(out.build()), Math.max(start, 0)));
    }
}
