package io.sightline.aggregate.rocksdb;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of all RocksDB stores of this JVM: one LRU block cache shared by
 * every store, with memtables counted against it (Kafka Streams' documented recipe).
 * Without it each store segment gets its own cache and memtables, and memory grows
 * with the number of stores and partitions.
 */
public final class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {

    /** Total bytes of block cache plus memtables, passed in the Streams properties. */
    public static final String TOTAL_BYTES_CONFIG = "sightline.rocksdb.memory.bytes";

    public static final long DEFAULT_TOTAL_BYTES = 64L * 1024 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;

    private static synchronized void init(long totalBytes) {
        if (cache == null) {
            // A quarter for memtables, high-priority pool for index and filter blocks.
            cache = new LRUCache(totalBytes, -1, false, 0.1);
            writeBufferManager = new WriteBufferManager(totalBytes / 4, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object total = configs.get(TOTAL_BYTES_CONFIG);
        init(total == null ? DEFAULT_TOTAL_BYTES : Long.parseLong(total.toString()));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBufferManager);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and buffer manager are shared by every store: closing them here would break the others.
    }
}
