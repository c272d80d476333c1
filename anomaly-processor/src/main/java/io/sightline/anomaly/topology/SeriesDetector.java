package io.sightline.anomaly.topology;

import io.sightline.anomaly.alerting.AlertFactory;
import io.sightline.anomaly.alerting.Explainer;
import io.sightline.anomaly.alerting.Explanation;
import io.sightline.anomaly.detection.SeriesEngine;
import io.sightline.anomaly.detection.Transition;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.SeriesHistory;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores every window update of every series with its metric's rule (see
 * {@link SeriesEngine}) and forwards alert changes keyed by fingerprint, each firing
 * alert explained from the latest evaluations of the other series on every partition
 * (each evaluation is also published to {@code metrics.evaluations.v1}, which every
 * instance reads into a global store).
 * Keeps two stores: the full state per series ({@code series-history}) and a small
 * latest evaluation per series ({@code series-latest}) that explanations and the
 * eviction scan read without loading the history. Past {@code maxSeries} series, a
 * wall-clock punctuation evicts the least recently updated ones and counts them.
 */
final class SeriesDetector implements Processor<String, MetricWindow, String, Object> {

    // The group Kafka Streams gives a processor's own metrics (stream-<scope>-metrics), as the enrich processor's get.
    static final String METRIC_GROUP = "stream-sightline-anomaly-metrics";
    /** How often (stream time) quiet series are checked for windows that passed without an update. */
    static final java.time.Duration STALE_CHECK_INTERVAL = java.time.Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(SeriesDetector.class);

    private final AnomalySettings settings;
    private final Map<MetricRule, SeriesEngine> engines = new IdentityHashMap<>();
    private KeyValueStore<String, SeriesHistory> history;
    private KeyValueStore<String, LatestEvaluation> latest;
    private ReadOnlyKeyValueStore<String, LatestEvaluation> everySeries;
    /** Every series' latest evaluation for the alerts of one window start ({@link #evaluationsAt}); null between. */
    private TreeMap<String, LatestEvaluation> evaluations;

    private long evaluationsWindow = Long.MIN_VALUE;
    private ProcessorContext<String, Object> context;
    private long tracked;
    /** Wall-clock time of the last window this task processed, and the task's stream time then (-1: none yet). */
    private long lastInputWallMs = -1;

    private long streamTimeAtLastInput = -1;
    private Sensor evicted;
    private Sensor learned;
    private Sensor trackedGauge;
    private Sensor learningGauge;
    private Sensor forwardedGauge;
    private Sensor forwardFailedGauge;
    private Sensor forwardDroppedGauge;

    SeriesDetector(AnomalySettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.history = context.getStateStore(AnomalyTopology.HISTORY_STORE);
        this.latest = context.getStateStore(AnomalyTopology.LATEST_STORE);
        this.everySeries = context.getStateStore(AnomalyTopology.EVALUATIONS_STORE);
        String task = context.taskId().toString();
        evicted = sensor(
                task, "series-evicted-total", "Series evicted because the task tracked more than the cap.", true);
        learned =
                sensor(task, "series-learned-total", "Series that finished learning (enough history to alert).", true);
        trackedGauge = sensor(task, "series-tracked", "Series this task keeps a baseline for.", false);
        learningGauge = sensor(
                task,
                "series-learning",
                "Series still learning (too little history to alert), as of the last scan.",
                false);
        if (settings.forwarder() != null) {
            forwardedGauge = sensor(
                    task,
                    "alerts-forwarded",
                    "Alerts this process forwarded to the receiver (process-wide, as of the last scan).",
                    false);
            forwardFailedGauge =
                    sensor(task, "alerts-forward-failed", "Alerts given up after the retries (process-wide).", false);
            forwardDroppedGauge = sensor(
                    task,
                    "alerts-forward-dropped",
                    "Alerts dropped because the forwarding queue was full (process-wide).",
                    false);
        }
        scan();
        context.schedule(settings.evictionInterval(), PunctuationType.WALL_CLOCK_TIME, now -> scan());
        context.schedule(STALE_CHECK_INTERVAL, PunctuationType.STREAM_TIME, this::judgeSilentSeries);
        context.schedule(STALE_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::judgeSilentSeriesWhileIdle);
    }

    private Sensor sensor(String task, String name, String description, boolean cumulative) {
        Sensor s = context.metrics()
                .addSensor(
                        "anomaly-" + name + "-" + task + "-" + System.identityHashCode(this),
                        Sensor.RecordingLevel.INFO);
        s.add(
                new MetricName(name, METRIC_GROUP, description, Map.of("task-id", task)),
                cumulative ? new CumulativeSum() : new Value());
        return s;
    }

    @Override
    public void process(Record<String, MetricWindow> record) {
        MetricWindow window = record.value();
        if (window == null) {
            return;
        }
        lastInputWallMs = context.currentSystemTimeMs();
        streamTimeAtLastInput = context.currentStreamTimeMs();
        SeriesKey series = SeriesKey.of(window.getMetric(), window.getDimensions());
        String key = series.toString();
        MetricRule rule = settings.rules().forMetric(series.metric());
        SeriesEngine engine = engines.computeIfAbsent(rule, SeriesEngine::new);

        SeriesHistory h = history.get(key);
        if (h == null) {
            h = SeriesEngine.newHistory();
            tracked++;
            trackedGauge.record(tracked);
        }
        boolean wasLearning = h.getLatest() == null || h.getLatest().getLearning();
        long start = window.getWindowStart().toEpochMilli();
        long size = window.getWindowEnd().toEpochMilli() - start;
        h.setMeasure(window.getMeasure());
        SeriesEngine.Result result = engine.update(h, start, size, window.getValue());
        history.put(key, h);
        if (h.getLatest() != null) {
            putLatest(key, h.getLatest(), record.timestamp());
            if (wasLearning && !h.getLatest().getLearning()) {
                learned.record();
                log.debug(
                        "A series of metric {} finished learning (partition {})",
                        series.metric(),
                        context.recordMetadata().map(m -> m.partition()).orElse(-1));
            }
        }
        emit(series, rule, size, result.transitions(), record.timestamp());
    }

    /**
     * When nothing at all arrives (every source of this task stopped), stream time stands still,
     * so the quiet series are judged on wall-clock time: stream time is taken to have moved on as
     * much as the wall clock since the last window arrived. While windows arrive, stream time does
     * the job; after a restart, nothing is judged this way until the first window arrives, and
     * never while a stage upstream is behind (then the silence is the pipeline's, not the sources').
     */
    private void judgeSilentSeriesWhileIdle(long wallNow) {
        if (lastInputWallMs < 0) {
            return;
        }
        long idle = wallNow - lastInputWallMs;
        if (idle >= STALE_CHECK_INTERVAL.toMillis()
                && settings.upstreamCaughtUp().getAsBoolean()) {
            judgeSilentSeries(streamTimeAtLastInput + idle);
        }
    }

    /**
     * Series that went quiet while others of this task moved on: their missing windows
     * count as zero as soon as stream time shows they are over, so a source that stops
     * sending alerts without waiting for its next update.
     */
    private void judgeSilentSeries(long now) {
        for (Map.Entry<String, LatestEvaluation> e : thisTasksSeries()) {
            LatestEvaluation l = e.getValue();
            long size = l.getWindowMillis();
            boolean silent = size > 0 && l.getWindowStart() + 2 * size <= now;
            boolean nothingLeft = l.getObserved() == 0 && l.getExpected() == 0;
            if (!silent || nothingLeft) {
                continue;
            }
            SeriesHistory h = history.get(e.getKey());
            if (h == null) {
                continue;
            }
            SeriesKey series = SeriesKey.parse(e.getKey());
            MetricRule rule = settings.rules().forMetric(series.metric());
            SeriesEngine.Result result =
                    engines.computeIfAbsent(rule, SeriesEngine::new).advance(h, now);
            history.put(e.getKey(), h);
            if (h.getLatest() != null) {
                putLatest(e.getKey(), h.getLatest(), now);
            }
            emit(series, rule, size, result.transitions(), now);
        }
    }

    /** Keeps a series' latest evaluation here and publishes it, for explanations on every partition and instance. */
    private void putLatest(String key, LatestEvaluation evaluation, long timestamp) {
        latest.put(key, evaluation);
        if (evaluations != null) {
            evaluations.put(key, evaluation);
        }
        context.forward(new Record<String, Object>(key, evaluation, timestamp), AnomalyTopology.TO_EVALUATIONS);
    }

    private void emit(SeriesKey series, MetricRule rule, long size, List<Transition> transitions, long timestamp) {
        String key = series.toString();
        String metricPrefix = key.substring(0, key.indexOf('{') + 1);
        for (Transition t : transitions) {
            Explanation explanation = Explanation.NONE;
            if (t.status() == AlertStatus.firing) {
                NavigableMap<String, LatestEvaluation> all = evaluationsAt(t.windowStart());
                explanation = Explainer.explain(
                        series,
                        t.windowStart(),
                        size,
                        t.evaluation().observed(),
                        t.evaluation().expected(),
                        t.evaluation().score(),
                        all.subMap(metricPrefix, true, metricPrefix + Character.MAX_VALUE, false)
                                .entrySet(),
                        all.entrySet());
            }
            Alert alert = AlertFactory.build(t, series, explanation, rule.runbookUrl());
            context.forward(
                    new Record<String, Object>(alert.getFingerprint(), alert, timestamp), AnomalyTopology.TO_ALERTS);
            if (settings.forwarder() != null) {
                settings.forwarder().offer(alert);
            }
        }
    }

    /**
     * The latest evaluation of every series, on every partition: the global store fed by
     * {@code metrics.evaluations.v1}, overlaid with this task's own store, which is fresher for
     * its series (the topic lags by a commit). Read once for all the alerts that fire for one
     * window start, and kept current with this task's own evaluations until the next: when
     * thousands of series leave their band in the same minute (a cold start, an outage), the
     * stores are scanned once, not once per alert, which held a transaction past its timeout
     * and fenced the task over and over (AnomalyProcessorBenchmark). Dropped at each scan.
     */
    private NavigableMap<String, LatestEvaluation> evaluationsAt(long windowStart) {
        if (evaluations == null || windowStart != evaluationsWindow) {
            TreeMap<String, LatestEvaluation> merged = new TreeMap<>();
            try (KeyValueIterator<String, LatestEvaluation> it = everySeries.all()) {
                it.forEachRemaining(kv -> merged.put(kv.key, kv.value));
            }
            try (KeyValueIterator<String, LatestEvaluation> it = latest.all()) {
                it.forEachRemaining(kv -> merged.put(kv.key, kv.value));
            }
            evaluations = merged;
            evaluationsWindow = windowStart;
        }
        return evaluations;
    }

    private List<Map.Entry<String, LatestEvaluation>> thisTasksSeries() {
        try (KeyValueIterator<String, LatestEvaluation> it = latest.all()) {
            return collect(it);
        }
    }

    private static List<Map.Entry<String, LatestEvaluation>> collect(KeyValueIterator<String, LatestEvaluation> it) {
        List<Map.Entry<String, LatestEvaluation>> out = new ArrayList<>();
        while (it.hasNext()) {
            KeyValue<String, LatestEvaluation> kv = it.next();
            out.add(new AbstractMap.SimpleImmutableEntry<>(kv.key, kv.value));
        }
        return out;
    }

    /** Counts the series, reports how many are learning, and evicts the least active past the cap. */
    private void scan() {
        evaluations = null;
        List<Map.Entry<String, LatestEvaluation>> entries = thisTasksSeries();
        long learning = entries.stream().filter(e -> e.getValue().getLearning()).count();
        tracked = entries.size();
        int excess = entries.size() - settings.maxSeries();
        if (excess > 0) {
            // Ranked by the last window that arrived: a series judged silent on time has a recent
            // evaluation but is no more active for it.
            Map<String, Long> lastSeen = new HashMap<>();
            for (Map.Entry<String, LatestEvaluation> e : entries) {
                SeriesHistory h = history.get(e.getKey());
                lastSeen.put(e.getKey(), h == null ? Long.MIN_VALUE : h.getLastSeen());
            }
            entries.sort(Comparator.comparingLong((Map.Entry<String, LatestEvaluation> e) -> lastSeen.get(e.getKey()))
                    .thenComparing(Map.Entry::getKey));
            for (int i = 0; i < excess; i++) {
                String key = entries.get(i).getKey();
                history.delete(key);
                latest.delete(key);
                if (evaluations != null) {
                    evaluations.remove(key);
                }
                context.forward(
                        new Record<String, Object>(key, null, context.currentSystemTimeMs()),
                        AnomalyTopology.TO_EVALUATIONS);
                evicted.record();
            }
            tracked -= excess;
            log.info(
                    "Evicted the {} least active series: this task tracked {} and the cap is {} (SIGHTLINE_DETECTOR_MAX_SERIES)",
                    excess,
                    entries.size(),
                    settings.maxSeries());
        }
        trackedGauge.record(tracked);
        learningGauge.record(learning);
        if (settings.forwarder() != null) {
            forwardedGauge.record(settings.forwarder().sent());
            forwardFailedGauge.record(settings.forwarder().failed());
            forwardDroppedGauge.record(settings.forwarder().dropped());
        }
    }

    @Override
    public void close() {
        for (Sensor s : new Sensor[] {
            evicted, learned, trackedGauge, learningGauge, forwardedGauge, forwardFailedGauge, forwardDroppedGauge
        }) {
            if (s != null) {
                context.metrics().removeSensor(s);
            }
        }
    }
}
