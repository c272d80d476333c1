package io.sightline.aggregate.topology;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The window states of one task, kept as objects between commits: a busy window is
 * updated thousands of times a second, and turning its sketch into bytes and back on
 * every update cost most of the aggregator's time. Updated states are written to the
 * changelogged key-value store underneath when Kafka Streams flushes caches before it
 * commits (the hook its own record cache uses), so what a commit covers is in the
 * store and its changelog, exactly once; states updated since the last commit are lost
 * with a crash exactly as uncommitted store writes are, and rebuilt from the input.
 *
 * <p>Only states updated since the last flush are held as objects, so memory is
 * bounded by what one commit interval touches.
 */
public final class MetricStateStore extends FlushedOnCommitStore<String, byte[]> {

    private final KeyValueStore<String, byte[]> inner;
    private final TreeMap<String, MetricState> updated = new TreeMap<>();

    MetricStateStore(KeyValueStore<String, byte[]> inner) {
        this.inner = inner;
    }

    /** A changelogged, cached RocksDB store named {@code name}, with this layer on top. */
    public static StoreBuilder<MetricStateStore> builder(String name) {
        return new Builder(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                        .withCachingEnabled());
    }

    /** The state of the window at {@code key}, or null. Pass it back to {@link #update} after changing it. */
    public MetricState state(String key) {
        MetricState state = updated.get(key);
        if (state != null) {
            return state;
        }
        byte[] bytes = inner.get(key);
        return bytes == null ? null : MetricState.fromBytes(bytes);
    }

    public void update(String key, MetricState state) {
        updated.put(key, state);
    }

    public void delete(String key) {
        updated.remove(key);
        inner.delete(key);
    }

    /** Keys of windows from {@code from} to {@code to} (inclusive), states updated since the last flush included. */
    public TreeSet<String> windowKeys(String from, String to) {
        TreeSet<String> keys =
                new TreeSet<>(updated.subMap(from, true, to, true).keySet());
        try (KeyValueIterator<String, byte[]> it = inner.range(from, to)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    /** The smallest window key from {@code from} to {@code to} (inclusive), states updated since the last flush included; or null. */
    public String firstWindowKey(String from, String to) {
        var pending = updated.subMap(from, true, to, true);
        String first = pending.isEmpty() ? null : pending.firstKey();
        try (KeyValueIterator<String, byte[]> it = inner.range(from, to)) {
            if (it.hasNext()) {
                String stored = it.next().key;
                first = first == null || stored.compareTo(first) < 0 ? stored : first;
            }
        }
        return first;
    }

    /** Bookkeeping entries (stream time, publish markers) go to the store as they are. */
    public byte[] getRaw(String key) {
        return inner.get(key);
    }

    public void putRaw(String key, byte[] value) {
        inner.put(key, value);
    }

    public void deleteRaw(String key) {
        inner.delete(key);
    }

    public KeyValueIterator<String, byte[]> prefixScanRaw(String prefix) {
        return inner.prefixScan(prefix, new StringSerializer());
    }

    @Override
    protected void writeBack() {
        for (Map.Entry<String, MetricState> e : updated.entrySet()) {
            inner.put(e.getKey(), e.getValue().toBytes());
        }
        updated.clear();
        flushCacheOf(inner);
    }

    @Override
    protected void discard() {
        updated.clear();
        clearCacheOf(inner);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        updated.clear();
        inner.init(context, root);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        updated.clear();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    private record Builder(StoreBuilder<KeyValueStore<String, byte[]>> inner)
            implements StoreBuilder<MetricStateStore> {

        @Override
        public StoreBuilder<MetricStateStore> withCachingEnabled() {
            return new Builder(inner.withCachingEnabled());
        }

        @Override
        public StoreBuilder<MetricStateStore> withCachingDisabled() {
            return new Builder(inner.withCachingDisabled());
        }

        @Override
        public StoreBuilder<MetricStateStore> withLoggingEnabled(Map<String, String> config) {
            return new Builder(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<MetricStateStore> withLoggingDisabled() {
            return new Builder(inner.withLoggingDisabled());
        }

        @Override
        public MetricStateStore build() {
            return new MetricStateStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
