package io.sightline.aggregate.topology;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The one place Sightline depends on Kafka Streams internals: a store layer that Kafka
 * Streams asks to write back what it holds before every commit, through the hook its own
 * record cache uses ({@code state.internals.CachedStateStore}: {@code flushCache} before a
 * commit, {@code clearCache} when a task's uncommitted work is dropped). The public API
 * has no such hook. {@code FlushedOnCommitStoreTest} fails if a Kafka upgrade stops
 * calling it, which would leave updates out of the store and its changelog.
 *
 * @param <K> key type of the store's records
 * @param <V> value type of the store's records
 */
public abstract class FlushedOnCommitStore<K, V> implements StateStore, CachedStateStore<K, V> {

    /** Writes what this layer holds to the store underneath: the next commit covers it. */
    protected abstract void writeBack();

    /** Drops what this layer holds without writing it: the task's uncommitted work is being thrown away. */
    protected abstract void discard();

    @Override
    public final void flushCache() {
        writeBack();
    }

    @Override
    public final void clearCache() {
        discard();
    }

    /** This layer forwards nothing downstream on flush: it has no listener to register. */
    @Override
    public final boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
        return false;
    }

    /** Flushes the record cache of a store underneath, if it has one. */
    protected static void flushCacheOf(StateStore inner) {
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    /** Clears the record cache of a store underneath, if it has one. */
    protected static void clearCacheOf(StateStore inner) {
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }
}
