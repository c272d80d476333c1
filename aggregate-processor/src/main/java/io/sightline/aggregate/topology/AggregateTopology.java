package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.Measure;
import io.sightline.aggregate.definition.MetricDefinition;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.common.streams.CountSeries;
import io.sightline.common.streams.DeadLetters;
import io.sightline.common.streams.ReceiveTimeExtractor;
import io.sightline.privacy.erasure.ErasedStore;
import io.sightline.privacy.erasure.ErasureTopology;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Metrics from enriched events, as the metric definitions say: each event becomes
 * contributions to series windows, folded into window states on the user-keyed
 * partitions, where funnel progress and the cardinality cap live too. Snapshots of
 * each partition's changed windows are repartitioned by series and merged into the
 * series' value (a local then global aggregation: the repartition carries a few
 * snapshots per window and emit interval, not a record per event and metric).
 *
 * <p>Time: each event counts in the tumbling windows of its own (corrected) event
 * time, while windows close and expire by receive time, the record timestamp, which no
 * client controls. Every update of an open window is published, so dashboards and the
 * anomaly detector see a window fill up; a final value once it closes (end plus
 * grace); and a revision whenever late events change it within the lateness horizon of
 * its size. A contribution later than that is counted per source, series and minute of
 * arrival into {@code late_events{metric=...,source=...}} on the same topic, and an
 * event too late for every window is also dead-lettered ({@code event_time_too_late}).
 */
public final class AggregateTopology {

    public static final String EVENT_COUNT_METRIC = "event_count";
    public static final String EVENT_DIMENSION = "event";
    public static final String DIMENSION_STORE = "metric-dimension-values";
    public static final String FUNNEL_STORE = "funnel-progress";
    /** Window states of one input partition (on the user-keyed tasks). */
    public static final String WINDOW_STORE = "metric-windows";
    /** The latest snapshot of each input partition per series window (on the series-keyed tasks). */
    public static final String MERGED_WINDOW_STORE = "metric-windows-by-series";

    public static final String LATE_METRIC = "late_events";
    public static final String COMPONENT = "aggregate-processor";
    private static final String LATE = "late";
    public static final String LATE_COUNTS_STORE = CountSeries.storeName(LATE);
    /**
     * Late events are counted by the stream time of the aggregator task that dropped
     * them, which differs between tasks (one catching up after a restart): a generous
     * grace keeps such counts; it costs only an hour of per-minute counts per source.
     */
    static final Duration LATE_COUNT_GRACE = Duration.ofHours(1);

    private static final String DIMENSIONS_MAY_HOLD_IDS =
            "keyed by metric and dimension values: a definition that makes a property or trait holding an id a"
                    + " dimension puts it in the keys (docs/privacy.md)";

    /**
     * The stores that hold no subject ids, and why; every other store is erased on deletion
     * (checked by {@code PersonalDataStoresTest}).
     */
    public static final Map<String, String> STORES_WITHOUT_SUBJECTS = Map.of(
            DIMENSION_STORE,
            "dimension values seen per metric, for the cardinality cap; " + DIMENSIONS_MAY_HOLD_IDS,
            WINDOW_STORE,
            "window states: counts, sums, KLL sketches of values and HyperLogLog sketches of user keys, from which"
                    + " no key can be read back; " + DIMENSIONS_MAY_HOLD_IDS,
            MERGED_WINDOW_STORE,
            "the same window states merged per series; " + DIMENSIONS_MAY_HOLD_IDS,
            LATE_COUNTS_STORE,
            "counts of late events per source, metric and minute");

    private AggregateTopology() {}

    public static Topology build(Topics topics, AggregateSettings settings) {
        MetricDefinitions definitions = settings.definitions();
        Duration grace = settings.grace();
        LatenessHorizons horizons = settings.horizons();
        Duration emitInterval = settings.emitInterval();
        int defaultCap = settings.defaultCap();
        Topic<String, EnrichedEvent> enriched = topics.eventsEnriched();
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DIMENSION_STORE), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(FUNNEL_STORE), Serdes.String(), Serdes.String()));
        // Window states are rewritten many times between commits: they are written down once
        // per commit (objects, then a record cache); the processors themselves decide what to
        // publish, so the caches hide nothing.
        builder.addStateStore(MetricStateStore.builder(WINDOW_STORE));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(MERGED_WINDOW_STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled());

        KStream<String, EnrichedEvent> events = builder.stream(
                enriched.name(),
                Consumed.with(enriched.keySerde(), enriched.valueSerde())
                        .withTimestampExtractor(new ReceiveTimeExtractor())
                        .withName("enriched-events"));

        // A deleted user's progress through every funnel goes.
        ErasureTopology.addRegulations(builder, topics);
        List<String> funnels = definitions.metrics().stream()
                .filter(m -> m.measure().type() == Measure.Type.FUNNEL)
                .map(MetricDefinition::name)
                .toList();
        ErasureTopology.erase(
                builder,
                events,
                topics,
                COMPONENT,
                "user-subjects",
                List.of(new ErasedStore(
                        FUNNEL_STORE,
                        (type, subject) -> funnels.stream()
                                .map(funnel -> ContributionMapper.funnelKey(funnel, subject))
                                .toList(),
                        null)));

        Topic<String, DeadLetter> invalid = topics.eventsInvalid();
        WindowDeadlines deadlines = new WindowDeadlines(definitions, grace, horizons);
        DeadLetters.sendTo(
                events.processValues(
                        () -> new TooLateCheck(deadlines, enriched, COMPONENT), Named.as("find-too-late-events")),
                invalid,
                "too-late-to-events-invalid");

        Map<String, KStream<String, Emitted>> emitted = events.process(
                        () -> new ContributionMapper(definitions, defaultCap, DIMENSION_STORE, FUNNEL_STORE),
                        Named.as("to-contributions"),
                        DIMENSION_STORE,
                        FUNNEL_STORE)
                .process(
                        () -> new WindowAggregator(definitions, grace, horizons, emitInterval, WINDOW_STORE),
                        Named.as("aggregate-windows"),
                        WINDOW_STORE)
                .split(Named.as("emitted-"))
                .branch((key, e) -> e.isLate(), Branched.as("late"))
                .defaultBranch(Branched.as("windows"));

        // Only snapshots of changed windows travel through the repartition topic, not events or contributions.
        emitted.get("emitted-windows")
                .mapValues(Emitted::partial, Named.as("partial-windows"))
                .repartition(Repartitioned.with(Serdes.String(), PartialWindow.serde())
                        .withName("partial-windows-by-series"))
                .process(
                        () -> new PartialWindowMerger(grace, horizons, MERGED_WINDOW_STORE),
                        Named.as("merge-partial-windows"),
                        MERGED_WINDOW_STORE)
                .to(
                        metrics.name(),
                        Produced.with(metrics.keySerde(), metrics.valueSerde()).withName("to-metrics-windowed"));

        CountSeries.perMinute(
                        emitted.get("emitted-late"),
                        List.of("source", "metric"),
                        (source, e) -> List.of(source, e.lateSeries()),
                        LATE_METRIC,
                        LATE,
                        LATE_COUNT_GRACE)
                .to(
                        metrics.name(),
                        Produced.with(metrics.keySerde(), metrics.valueSerde()).withName("late-to-metrics-windowed"));

        return builder.build();
    }

    /** Track calls count under their own name; other calls under {@code $page}, {@code $identify}, ... */
    public static String eventName(io.sightline.schemas.avro.TrackedEvent event) {
        return EventView.eventName(event);
    }
}
