package io.sightline.anomaly.topology;

import io.sightline.anomaly.quality.EventCatalogUpdater;
import io.sightline.anomaly.quality.SourceShare;
import io.sightline.anomaly.rules.DataQualityRules;
import io.sightline.common.streams.CountSeries;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.SeriesHistory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Windowed metrics (and dead letters, for the data-quality series) in, alert state
 * changes out; one baseline per series in a state store, and every series' latest
 * evaluation published to {@code metrics.evaluations.v1}, read back by every instance
 * into a global store so that explanations see the series of all partitions.
 */
public final class AnomalyTopology {

    public static final String HISTORY_STORE = "series-history";
    public static final String LATEST_STORE = "series-latest";
    /** Global store of every series' latest evaluation, from {@code metrics.evaluations.v1}. */
    public static final String EVALUATIONS_STORE = "series-evaluations";

    static final String TO_ALERTS = "to-alerts";
    static final String TO_EVALUATIONS = "to-evaluations";
    static final String CATALOG_TO_CATALOG = "catalog-to-catalog";
    static final String CATALOG_TO_ALERTS = "catalog-to-alerts";
    /** Per-minute shares of rejected events and of events with plan violations, per source. */
    public static final String REJECTED_SHARE_STORE = "rejected-share";

    public static final String VIOLATION_SHARE_STORE = "violation-share";
    public static final String REJECTED_METRIC = "rejected_events";
    /** The per-minute counts of {@code rejected_events} (see {@link CountSeries}). */
    public static final String REJECTED_STORE = CountSeries.storeName("rejected");

    static final Duration REJECTED_WINDOW = Duration.ofMinutes(1);

    /** The stores that hold no subject ids, and why (checked by {@code PersonalDataStoresTest}): this application erases none. */
    public static final Map<String, String> STORES_WITHOUT_SUBJECTS = Map.of(
            HISTORY_STORE,
            "each series' detector state, keyed by series (metric and dimension values)",
            LATEST_STORE,
            "each series' latest window, keyed by series",
            EVALUATIONS_STORE,
            "each series' latest evaluation, keyed by series",
            REJECTED_SHARE_STORE,
            "shares of rejected events per source and minute",
            VIOLATION_SHARE_STORE,
            "shares of events with plan violations per source and minute",
            REJECTED_STORE,
            "counts of rejected events per source and minute",
            EventCatalogUpdater.STORE,
            "event names per source with counts and property types; samples hold types, not values");

    private AnomalyTopology() {}

    public static Topology build(Topics topics, AnomalySettings settings) {
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        Topic<String, Alert> alerts = topics.alerts();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HISTORY_STORE),
                Serdes.String(),
                topics.valueSerde(SeriesHistory.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LATEST_STORE),
                Serdes.String(),
                topics.valueSerde(LatestEvaluation.class)));
        Topic<String, LatestEvaluation> evaluations = topics.metricsEvaluations();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(EVALUATIONS_STORE),
                                evaluations.keySerde(),
                                evaluations.valueSerde())
                        .withLoggingDisabled(),
                evaluations.name(),
                Consumed.with(evaluations.keySerde(), evaluations.valueSerde()).withName("series-evaluations"),
                EvaluationsUpdater::new);

        KStream<String, MetricWindow> windows = builder.stream(
                metrics.name(),
                Consumed.with(metrics.keySerde(), metrics.valueSerde()).withName("metric-windows"));
        Topic<String, DeadLetter> invalid = topics.eventsInvalid();
        KStream<String, DeadLetter> deadLetters = builder.stream(
                        invalid.name(),
                        Consumed.with(invalid.keySerde(), invalid.valueSerde()).withName("dead-letters"))
                .filter((key, letter) -> letter != null, Named.as("dead-letters-present"));
        Topic<String, QualityViolation> quality = topics.qualityViolations();
        KStream<String, MetricWindow> violating = builder.stream(
                        quality.name(),
                        Consumed.with(quality.keySerde(), quality.valueSerde()).withName("plan-violations"))
                .filter((key, v) -> v != null && v.getFirstOfEvent(), Named.as("events-with-violations"))
                .mapValues(
                        v -> SourceShare.contribution(
                                v.getSource(),
                                v.getReceivedAt(),
                                "block".equals(v.getViolation().getAction())),
                        Named.as("violation-contribution"));
        KStream<String, MetricWindow> rejected = deadLetters.mapValues(
                letter -> SourceShare.contribution(letter.getSource(), letter.getTime(), true),
                Named.as("rejected-contribution"));
        KStream<String, Object> detected = windows.merge(rejectedEvents(deadLetters), Named.as("with-rejected-events"))
                .merge(
                        sourceShare(
                                builder,
                                windows,
                                rejected,
                                DataQualityRules.REJECTED_SHARE_METRIC,
                                REJECTED_SHARE_STORE,
                                "rejected",
                                topics,
                                settings),
                        Named.as("with-data-quality"))
                .merge(
                        sourceShare(
                                builder,
                                windows,
                                violating,
                                DataQualityRules.VIOLATION_SHARE_METRIC,
                                VIOLATION_SHARE_STORE,
                                "violation",
                                topics,
                                settings),
                        Named.as("with-violation-share"))
                .process(() -> new SeriesDetector(settings), Named.as("detect-anomalies"), HISTORY_STORE, LATEST_STORE);
        // The detector forwards to one sink or the other by name: alert changes, and the evaluations
        // (tombstones for evicted series) that feed every instance's global store.
        detected.to(
                alerts.name(),
                Produced.with(alerts.keySerde(), anyValue(alerts.valueSerde())).withName(TO_ALERTS));
        detected.to(
                evaluations.name(),
                Produced.with(evaluations.keySerde(), anyValue(evaluations.valueSerde()))
                        .withName(TO_EVALUATIONS));
        eventCatalog(builder, topics, settings);
        return builder.build();
    }

    /**
     * The observed event catalog: the gateways' observations added up per source and
     * event name in {@code quality.catalog.v1}, with drift alerts (an unplanned event name
     * appears, a property changes type) on {@code alerts.v1} and to the forwarder.
     */
    private static void eventCatalog(StreamsBuilder builder, Topics topics, AnomalySettings settings) {
        Topic<String, EventCatalogEntry> observations = topics.qualityObservations();
        Topic<String, EventCatalogEntry> catalog = topics.qualityCatalog();
        Topic<String, Alert> alerts = topics.alerts();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EventCatalogUpdater.STORE), Serdes.String(), catalog.valueSerde()));
        KStream<String, Object> updates = builder.stream(
                        observations.name(),
                        Consumed.with(observations.keySerde(), observations.valueSerde())
                                .withName("event-observations"))
                .process(
                        () -> new EventCatalogUpdater(CATALOG_TO_CATALOG, CATALOG_TO_ALERTS, settings.forwarder()),
                        Named.as("update-event-catalog"),
                        EventCatalogUpdater.STORE);
        updates.to(
                catalog.name(),
                Produced.with(catalog.keySerde(), anyValue(catalog.valueSerde()))
                        .withName(CATALOG_TO_CATALOG));
        updates.to(
                alerts.name(),
                Produced.with(alerts.keySerde(), anyValue(alerts.valueSerde())).withName(CATALOG_TO_ALERTS));
    }

    @SuppressWarnings("unchecked")
    private static Serde<Object> anyValue(Serde<?> serde) {
        return (Serde<Object>) serde;
    }

    /** Keeps the global store of latest evaluations in step with its topic (a tombstone deletes). */
    private static final class EvaluationsUpdater implements Processor<String, LatestEvaluation, Void, Void> {
        private KeyValueStore<String, LatestEvaluation> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(EVALUATIONS_STORE);
        }

        @Override
        public void process(Record<String, LatestEvaluation> record) {
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }

    /**
     * Data quality: dead letters of every component counted per minute into the series
     * {@code rejected_events{component=...}}, which the detectors judge like any metric,
     * so a spike of rejected events alerts (its rule can be set in the rules file).
     */
    private static KStream<String, MetricWindow> rejectedEvents(KStream<String, DeadLetter> deadLetters) {
        return CountSeries.perMinute(
                deadLetters,
                List.of("component"),
                (key, letter) -> List.of(letter.getComponent()),
                REJECTED_METRIC,
                "rejected",
                REJECTED_WINDOW);
    }

    /**
     * Data quality: {@code <shareMetric>{source=...}}, the share of each source's events
     * per minute that met trouble (dead letters: {@code rejected_share}; plan violations:
     * {@code violation_share}), judged by the built-in threshold rules. The accepted
     * counts come from the aggregator's {@code events_by_source} series; both inputs meet,
     * keyed by source, after the repartition topic {@code <name>-share-by-source}.
     */
    private static KStream<String, MetricWindow> sourceShare(
            StreamsBuilder builder,
            KStream<String, MetricWindow> windows,
            KStream<String, MetricWindow> troubled,
            String shareMetric,
            String store,
            String name,
            Topics topics,
            AnomalySettings settings) {
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(store, SourceShare.RETENTION, SourceShare.WINDOW, false),
                Serdes.String(),
                metrics.valueSerde()));
        KStream<String, MetricWindow> accepted = windows.filter(
                        (key, m) -> SourceShare.isAcceptedCount(m), Named.as(name + "-accepted-counts"))
                .selectKey((key, m) -> m.getDimensions().get("source"), Named.as(name + "-accepted-by-source"));
        KStream<String, MetricWindow> bySource = troubled.filter((key, m) -> m != null, Named.as(name + "-with-source"))
                .selectKey((key, m) -> m.getDimensions().get("source"), Named.as(name + "-troubled-by-source"));
        int minEvents = settings.rejectedShareMinEvents();
        return accepted.merge(bySource, Named.as(name + "-accepted-and-troubled"))
                .repartition(Repartitioned.with(Serdes.String(), metrics.valueSerde())
                        .withName(name + "-share-by-source"))
                .process(() -> new SourceShare(shareMetric, store, minEvents), Named.as(name + "-share"), store);
    }
}
