package io.sightline.anomaly.topology;

import io.sightline.anomaly.quality.RejectedShare;
import io.sightline.common.streams.CountSeries;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.SeriesHistory;
import io.sightline.schemas.avro.DeadLetter;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
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
    public static final String REJECTED_METRIC = "rejected_events";
    /** The per-minute counts of {@code rejected_events} (see {@link CountSeries}). */
    public static final String REJECTED_STORE = CountSeries.storeName("rejected");
    static final Duration REJECTED_WINDOW = Duration.ofMinutes(1);

    private AnomalyTopology() {
    }

    public static Topology build(Topics topics, DetectionSettings settings) {
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        Topic<String, Alert> alerts = topics.alerts();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY_STORE),
                Serdes.String(), topics.valueSerde(SeriesHistory.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LATEST_STORE),
                Serdes.String(), topics.valueSerde(LatestEvaluation.class)));
        Topic<String, LatestEvaluation> evaluations = topics.metricsEvaluations();
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EVALUATIONS_STORE),
                        evaluations.keySerde(), evaluations.valueSerde()).withLoggingDisabled(),
                evaluations.name(), Consumed.with(evaluations.keySerde(), evaluations.valueSerde()).withName("series-evaluations"),
                EvaluationsUpdater::new);

        KStream<String, MetricWindow> windows = builder.stream(metrics.name(),
                Consumed.with(metrics.keySerde(), metrics.valueSerde()).withName("metric-windows"));
        Topic<String, DeadLetter> invalid = topics.eventsInvalid();
        KStream<String, DeadLetter> deadLetters = builder.stream(invalid.name(),
                        Consumed.with(invalid.keySerde(), invalid.valueSerde()).withName("dead-letters"))
                .filter((key, letter) -> letter != null, Named.as("dead-letters-present"));
        KStream<String, Object> detected = windows.merge(rejectedEvents(deadLetters), Named.as("with-rejected-events"))
                .merge(rejectedShare(builder, windows, deadLetters, topics, settings), Named.as("with-data-quality"))
                .process(() -> new SeriesDetector(settings), Named.as("detect-anomalies"), HISTORY_STORE, LATEST_STORE);
        // The detector forwards to one sink or the other by name: alert changes, and the evaluations
        // (tombstones for evicted series) that feed every instance's global store.
        detected.to(alerts.name(), Produced.with(alerts.keySerde(), anyValue(alerts.valueSerde())).withName(TO_ALERTS));
        detected.to(evaluations.name(), Produced.with(evaluations.keySerde(), anyValue(evaluations.valueSerde())).withName(TO_EVALUATIONS));
        return builder.build();
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
        return CountSeries.perMinute(deadLetters, List.of("component"), (key, letter) -> List.of(letter.getComponent()), REJECTED_METRIC, "rejected",
                REJECTED_WINDOW);
    }

    /**
     * Data quality: {@code rejected_share{source=...}}, each source's dead letters over its
     * events per minute, judged by the built-in threshold rule. The accepted counts come
     * from the aggregator's {@code events_by_source} series; both inputs meet, keyed by
     * source, after the repartition topic {@code rejected-share-by-source}.
     */
    private static KStream<String, MetricWindow> rejectedShare(StreamsBuilder builder, KStream<String, MetricWindow> windows,
                                                               KStream<String, DeadLetter> deadLetters, Topics topics,
                                                               DetectionSettings settings) {
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(RejectedShare.STORE, RejectedShare.RETENTION,
                RejectedShare.WINDOW, false), Serdes.String(), metrics.valueSerde()));
        KStream<String, MetricWindow> accepted = windows
                .filter((key, m) -> RejectedShare.isAcceptedCount(m), Named.as("accepted-counts"))
                .selectKey((key, m) -> m.getDimensions().get("source"), Named.as("accepted-by-source"));
        KStream<String, MetricWindow> rejected = deadLetters
                .mapValues(RejectedShare::contribution, Named.as("rejected-contribution"))
                .filter((key, m) -> m != null, Named.as("rejected-with-source"))
                .selectKey((key, m) -> m.getDimensions().get("source"), Named.as("rejected-by-source"));
        int minEvents = settings.rejectedShareMinEvents();
        return accepted.merge(rejected, Named.as("accepted-and-rejected"))
                .repartition(Repartitioned.with(Serdes.String(), metrics.valueSerde()).withName("rejected-share-by-source"))
                .process(() -> new RejectedShare(minEvents), Named.as("rejected-share"), RejectedShare.STORE);
    }
}
