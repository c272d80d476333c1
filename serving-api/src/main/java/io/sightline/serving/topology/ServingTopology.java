package io.sightline.serving.topology;

import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.MetricCatalogEntry;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.QualityViolation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Materializes the processors' output for interactive queries: metric windows into a
 * window store (one entry per series and window start, the latest update winning),
 * what is known of each metric into a small catalog store, and alerts into a
 * key-value store by fingerprint.
 */
public final class ServingTopology {

    /** Window sizes the serving API keeps; a metric window of another size is not stored. */
    public static final List<Duration> WINDOW_SIZES =
            List.of(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1));

    /** The warm tier's defaults: one-minute windows for 7 days, hourly for 90, daily for two years. */
    public static final Map<Duration, Duration> DEFAULT_RETENTION = Map.of(
            Duration.ofMinutes(1), Duration.ofDays(7),
            Duration.ofHours(1), Duration.ofDays(90),
            Duration.ofDays(1), Duration.ofDays(730));

    public static final String CATALOG_STORE = "metric-catalog";
    public static final String ALERT_STORE = "alerts";
    public static final String DEAD_LETTER_STORE = "dead-letters-1m";
    /** Tracking-plan violations per source, event, type, path and plan version, per minute. */
    public static final String VIOLATION_STORE = "plan-violations-1m";
    /** The observed event catalog, every entry on every replica (a global store of {@code quality.catalog.v1}). */
    public static final String EVENT_CATALOG_STORE = "event-catalog";
    /** What violations can be grouped by, in the order of their key's fields. */
    public static final List<String> VIOLATION_FIELDS = List.of("source", "event", "type", "path", "plan");
    /** Between the fields of a violation's key: event names and paths may hold any printable character. */
    public static final char VIOLATION_KEY_SEPARATOR = '\u001f';

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    /** The window store holding metric windows of {@code size}: {@code metric-windows-1m}, {@code metric-windows-1h}. */
    public static String metricStore(Duration size) {
        return "metric-windows-" + label(size);
    }

    /**
     * The metric name the aggregator gives the series of {@code metric} in windows of
     * {@code size}: the name itself for one-minute windows, {@code <name>.1h} for hourly ones.
     */
    public static String seriesMetric(String metric, Duration size) {
        return size.equals(DEFAULT_WINDOW) ? metric : metric + "." + label(size);
    }

    /** The metric and window size a series metric name stands for ({@code event_count.1h}: event_count, PT1H). */
    public static Map.Entry<String, Duration> baseMetric(String seriesMetric) {
        for (Duration size : WINDOW_SIZES) {
            String suffix = "." + label(size);
            if (!size.equals(DEFAULT_WINDOW) && seriesMetric.endsWith(suffix)) {
                return Map.entry(seriesMetric.substring(0, seriesMetric.length() - suffix.length()), size);
            }
        }
        return Map.entry(seriesMetric, DEFAULT_WINDOW);
    }

    /** A window size as metric definitions write it: {@code 1m}, {@code 1h}, {@code 1d}. */
    public static String label(Duration size) {
        if (size.toHours() > 0 && size.toHours() % 24 == 0) {
            return size.toDays() + "d";
        }
        return size.toMinutes() % 60 == 0 ? size.toHours() + "h" : size.toMinutes() + "m";
    }

    /** The stores that hold no subject ids, and why (checked by {@code PersonalDataStoresTest}): this application erases none. */
    public static final Map<String, String> STORES_WITHOUT_SUBJECTS = storesWithoutSubjects();

    private static Map<String, String> storesWithoutSubjects() {
        Map<String, String> stores = new LinkedHashMap<>();
        for (Duration size : WINDOW_SIZES) {
            stores.put(
                    metricStore(size),
                    "metric windows of " + label(size) + ", keyed by series (metric and dimension values)");
        }
        stores.put(CATALOG_STORE, "metric names and their dimension values");
        stores.put(ALERT_STORE, "alerts, keyed by fingerprint of rule, metric and dimensions");
        stores.put(DEAD_LETTER_STORE, "counts of dead letters per stage, reason and minute");
        stores.put(VIOLATION_STORE, "counts of plan violations per source, event, type, path, plan and minute");
        stores.put(
                EVENT_CATALOG_STORE,
                "event names per source with counts and property types; samples hold types, not values");
        return Map.copyOf(stores);
    }

    private ServingTopology() {}

    public static Topology build(Topics topics, ServingSettings settings) {
        // Per-minute counts of dead letters and violations are kept as long as one-minute metric windows.
        Duration retention = settings.retention(DEFAULT_WINDOW);
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        Topic<String, Alert> alerts = topics.alerts();
        StreamsBuilder builder = new StreamsBuilder();

        String[] stores = new String[WINDOW_SIZES.size() + 1];
        for (int i = 0; i < WINDOW_SIZES.size(); i++) {
            Duration size = WINDOW_SIZES.get(i);
            stores[i] = metricStore(size);
            builder.addStateStore(Stores.windowStoreBuilder(
                    Stores.persistentWindowStore(stores[i], settings.retention(size), size, false),
                    metrics.keySerde(),
                    metrics.valueSerde()));
        }
        stores[WINDOW_SIZES.size()] = CATALOG_STORE;
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CATALOG_STORE),
                Serdes.String(),
                topics.valueSerde(MetricCatalogEntry.class)));
        builder.stream(
                        metrics.name(),
                        Consumed.with(metrics.keySerde(), metrics.valueSerde()).withName("metric-windows"))
                .process(WindowWriter::new, Named.as("store-metric-windows"), stores);

        builder.table(
                alerts.name(),
                Consumed.with(alerts.keySerde(), alerts.valueSerde()).withName("alert-changes"),
                Materialized.<String, Alert, KeyValueStore<Bytes, byte[]>>as(ALERT_STORE)
                        .withKeySerde(alerts.keySerde())
                        .withValueSerde(alerts.valueSerde()));

        // Rejected input per component, source and reason and minute, for the data-quality view.
        Topic<String, DeadLetter> invalid = topics.eventsInvalid();
        builder.stream(
                        invalid.name(),
                        Consumed.with(invalid.keySerde(), invalid.valueSerde()).withName("dead-letters"))
                .map((key, letter) -> KeyValue.pair(rejectKey(letter), 1L), Named.as("key-by-reason"))
                .groupByKey(Grouped.with("dead-letters-by-reason", Serdes.String(), Serdes.Long()))
                .windowedBy(TimeWindows.ofSizeWithNoGrace(DEFAULT_WINDOW))
                .count(
                        Named.as("count-dead-letters"),
                        Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(DEAD_LETTER_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(Serdes.Long())
                                .withRetention(retention));

        // The event catalog is small (one entry per source and event name): every replica keeps all of it.
        Topic<String, EventCatalogEntry> catalog = topics.qualityCatalog();
        builder.globalTable(
                catalog.name(),
                Consumed.with(catalog.keySerde(), catalog.valueSerde()).withName("event-catalog-entries"),
                Materialized.<String, EventCatalogEntry, KeyValueStore<Bytes, byte[]>>as(EVENT_CATALOG_STORE)
                        .withKeySerde(catalog.keySerde())
                        .withValueSerde(catalog.valueSerde()));

        // Tracking-plan violations per source, event, type, path and plan, and minute, for GET /v1/quality/violations.
        Topic<String, QualityViolation> violations = topics.qualityViolations();
        builder.stream(
                        violations.name(),
                        Consumed.with(violations.keySerde(), violations.valueSerde())
                                .withName("plan-violations"))
                .filter((key, v) -> v != null, Named.as("plan-violations-present"))
                .map((key, v) -> KeyValue.pair(violationKey(v), 1L), Named.as("key-by-violation"))
                .groupByKey(Grouped.with("plan-violations-by-kind", Serdes.String(), Serdes.Long()))
                .windowedBy(TimeWindows.ofSizeWithNoGrace(DEFAULT_WINDOW))
                .count(
                        Named.as("count-plan-violations"),
                        Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(VIOLATION_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(Serdes.Long())
                                .withRetention(retention));
        return builder.build();
    }

    /** The fields a violation is counted by, in {@link #VIOLATION_FIELDS} order. */
    public static String violationKey(QualityViolation v) {
        String event =
                v.getEventName() != null ? v.getEventName() : v.getEventType().name();
        return String.join(
                String.valueOf(VIOLATION_KEY_SEPARATOR),
                v.getSource(),
                event,
                v.getViolation().getViolationType(),
                v.getViolation().getPath(),
                v.getTrackingPlan() + "@" + v.getTrackingPlanVersion());
    }

    /** {@code component|source|reason}: what the data-quality view groups rejects by. */
    public static String rejectKey(DeadLetter letter) {
        return letter.getComponent() + "|" + (letter.getSource() == null ? "-" : letter.getSource()) + "|"
                + letter.getReasonCode();
    }

    /**
     * Puts each update at its window's start in the store for its window size, so a
     * later update of the same window replaces the earlier one, and notes the metric's
     * dimensions and windows in the catalog.
     */
    private static final class WindowWriter implements Processor<String, MetricWindow, Void, Void> {
        private final java.util.Map<Duration, WindowStore<String, MetricWindow>> windowsBySize =
                new java.util.HashMap<>();
        private KeyValueStore<String, MetricCatalogEntry> catalog;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            for (Duration size : WINDOW_SIZES) {
                windowsBySize.put(size, context.getStateStore(metricStore(size)));
            }
            catalog = context.getStateStore(CATALOG_STORE);
        }

        @Override
        public void process(Record<String, MetricWindow> record) {
            MetricWindow window = record.value();
            if (window == null) {
                return;
            }
            Duration windowSize = Duration.between(window.getWindowStart(), window.getWindowEnd());
            WindowStore<String, MetricWindow> windows = windowsBySize.get(windowSize);
            if (windows == null) {
                return; // a window size this API does not serve
            }
            windows.put(record.key(), window, window.getWindowStart().toEpochMilli());
            MetricCatalogEntry entry = catalog.get(window.getMetric());
            String size = windowSize.toString();
            if (entry == null) {
                entry = MetricCatalogEntry.newBuilder()
                        .setMetric(window.getMetric())
                        .setUpdatedAt(window.getUpdatedAt())
                        .build();
            }
            TreeSet<String> dimensions = new TreeSet<>(entry.getDimensions());
            dimensions.addAll(window.getDimensions().keySet());
            TreeSet<String> sizes = new TreeSet<>(entry.getWindows());
            sizes.add(size);
            entry.setDimensions(new ArrayList<>(dimensions));
            entry.setWindows(List.copyOf(sizes));
            entry.setSeries(entry.getSeries() + 1);
            if (window.getUpdatedAt().isAfter(entry.getUpdatedAt())) {
                entry.setUpdatedAt(window.getUpdatedAt());
            }
            catalog.put(window.getMetric(), entry);
        }
    }
}
