package io.sightline.aggregate;

import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.aggregate.rocksdb.BoundedMemoryRocksDBConfig;
import io.sightline.aggregate.topology.AggregateSettings;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsAppSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/** Settings of the aggregate processor. */
public final class AggregateConfig extends ServiceConfig {

    public static final String WINDOW_GRACE_MS_CONFIG = "window.grace.ms";
    private static final String WINDOW_GRACE_MS_DOC =
            "How long after a window ends (by receive time) it closes and its final value is published; events arriving later still revise it within its lateness horizon.";

    public static final String WINDOW_LATENESS_HORIZONS_CONFIG = "window.lateness.horizons";
    private static final String WINDOW_LATENESS_HORIZONS_DOC =
            "How long after its end (by receive time) a window of each size still counts late events, as size=horizon pairs; a size not listed takes the horizon of the largest listed size below it. Each change is published as a revision. Later events are counted in late_events per source and metric, and an event too late for all its windows goes to the dead-letter topic (event_time_too_late).";

    public static final String METRICS_DEFINITIONS_FILE_CONFIG = "metrics.definitions.file";
    private static final String METRICS_DEFINITIONS_FILE_DOC =
            "YAML or JSON file of metric definitions; empty runs the shipped defaults (default-metrics.yaml).";

    public static final String METRICS_EMIT_INTERVAL_MS_CONFIG = "metrics.emit.interval.ms";
    private static final String METRICS_EMIT_INTERVAL_MS_DOC =
            "How often changed open windows are published (wall clock); 0 publishes every single update.";

    public static final String METRICS_MAX_CARDINALITY_CONFIG = "metrics.max.cardinality";
    private static final String METRICS_MAX_CARDINALITY_DOC =
            "Distinct dimension combinations a metric keeps per input partition before new ones roll into 'other' (a metric's maxCardinality overrides it).";

    public static final String ROCKSDB_MEMORY_BYTES_CONFIG = "rocksdb.memory.bytes";
    private static final String ROCKSDB_MEMORY_BYTES_DOC =
            "Memory for all RocksDB stores of the process together: one shared block cache, memtables counted against it.";

    public static final ConfigDef DEFINITION = StreamsAppSettings.define(baseDefinition(8083), "sightline-aggregate")
            .define(
                    WINDOW_GRACE_MS_CONFIG,
                    Type.LONG,
                    Duration.ofMinutes(1).toMillis(),
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    WINDOW_GRACE_MS_DOC)
            .define(
                    WINDOW_LATENESS_HORIZONS_CONFIG,
                    Type.LIST,
                    LatenessHorizons.DEFAULT,
                    ConfigDef.LambdaValidator.with(
                            (name, value) -> {
                                try {
                                    LatenessHorizons.parse(((List<?>) value)
                                            .stream().map(String::valueOf).toList());
                                } catch (IllegalArgumentException e) {
                                    throw new ConfigException(name, value, e.getMessage());
                                }
                            },
                            () -> "size=horizon pairs of durations such as 1m=15m"),
                    Importance.MEDIUM,
                    WINDOW_LATENESS_HORIZONS_DOC)
            .define(METRICS_DEFINITIONS_FILE_CONFIG, Type.STRING, "", Importance.HIGH, METRICS_DEFINITIONS_FILE_DOC)
            .define(
                    METRICS_EMIT_INTERVAL_MS_CONFIG,
                    Type.LONG,
                    500L,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    METRICS_EMIT_INTERVAL_MS_DOC)
            .define(
                    METRICS_MAX_CARDINALITY_CONFIG,
                    Type.INT,
                    1000,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    METRICS_MAX_CARDINALITY_DOC)
            .define(
                    ROCKSDB_MEMORY_BYTES_CONFIG,
                    Type.LONG,
                    BoundedMemoryRocksDBConfig.DEFAULT_TOTAL_BYTES,
                    ConfigDef.Range.atLeast(1024 * 1024),
                    Importance.LOW,
                    ROCKSDB_MEMORY_BYTES_DOC);

    public AggregateConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }

    public Duration windowGrace() {
        return Duration.ofMillis(getLong(WINDOW_GRACE_MS_CONFIG));
    }

    public LatenessHorizons latenessHorizons() {
        return LatenessHorizons.parse(getList(WINDOW_LATENESS_HORIZONS_CONFIG));
    }

    public Duration emitInterval() {
        return Duration.ofMillis(getLong(METRICS_EMIT_INTERVAL_MS_CONFIG));
    }

    public int maxCardinality() {
        return getInt(METRICS_MAX_CARDINALITY_CONFIG);
    }

    /** The metric definitions, checked: a bad file fails here, naming the line. */
    public MetricDefinitions definitions() {
        String file = getString(METRICS_DEFINITIONS_FILE_CONFIG);
        return file.isBlank() ? MetricDefinitions.defaults() : MetricDefinitions.load(Path.of(file));
    }

    /** What the topology needs from these settings. */
    public AggregateSettings topologySettings() {
        return new AggregateSettings(
                definitions(), windowGrace(), latenessHorizons(), emitInterval(), maxCardinality());
    }

    /** Streams properties on top of the shared ones: the bounded RocksDB memory. */
    public Map<String, Object> streamsProperties() {
        return Map.of(
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                BoundedMemoryRocksDBConfig.class,
                BoundedMemoryRocksDBConfig.TOTAL_BYTES_CONFIG,
                getLong(ROCKSDB_MEMORY_BYTES_CONFIG));
    }
}
