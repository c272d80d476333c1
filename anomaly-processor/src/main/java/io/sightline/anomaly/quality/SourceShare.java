package io.sightline.anomaly.quality;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The share of a source's events per minute that had some trouble, as the series
 * {@code <shareMetric>{source=...}}: {@code rejected_share} (dead letters) or
 * {@code violation_share} (events with tracking-plan violations). The denominator is the
 * source's accepted events (the aggregator's {@code events_by_source} count of the same
 * minute) plus the troubled events that never became accepted ones (dead letters,
 * blocked events). Both inputs arrive keyed by source as {@link MetricWindow}s: the
 * aggregator's running count, which replaces the accepted count, and one
 * {@link #contribution} per troubled event, which adds to it. The share is emitted once
 * the minute has enough events to judge.
 */
public final class SourceShare implements Processor<String, MetricWindow, String, MetricWindow> {

    /** The aggregator's per-source event count (one of the default metric definitions). */
    public static final String ACCEPTED_METRIC = "events_by_source";

    static final String CONTRIBUTION = "$troubled";
    /** In a contribution: 1 when the event is not among the accepted ones (so it adds to the total as well). */
    static final String OUTSIDE_ACCEPTED = "outside";

    public static final Duration WINDOW = Duration.ofMinutes(1);
    public static final Duration RETENTION = Duration.ofMinutes(30);

    private final String shareMetric;
    private final String storeName;
    private final int minEvents;
    private WindowStore<String, MetricWindow> store;
    private ProcessorContext<String, MetricWindow> context;

    /** @param storeName a window store of {@link #WINDOW}, one per share metric */
    public SourceShare(String shareMetric, String storeName, int minEvents) {
        this.shareMetric = shareMetric;
        this.storeName = storeName;
        this.minEvents = minEvents;
    }

    /**
     * One troubled event as a contribution to its source's minute, or null without a source.
     *
     * @param outsideAccepted the event is not counted among the accepted ones (rejected or blocked)
     */
    public static MetricWindow contribution(String source, Instant time, boolean outsideAccepted) {
        if (source == null) {
            return null;
        }
        long start = time.toEpochMilli() / WINDOW.toMillis() * WINDOW.toMillis();
        return MetricWindow.newBuilder()
                .setMetric(CONTRIBUTION)
                .setDimensions(Map.of("source", source))
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(start).plus(WINDOW))
                .setValue(1)
                .setSampleCount(1)
                .setMeasure("count")
                .setValues(Map.of(OUTSIDE_ACCEPTED, outsideAccepted ? 1.0 : 0.0))
                .setUpdatedAt(time)
                .build();
    }

    /** Whether {@code m} is the accepted count of a source for one minute. */
    public static boolean isAcceptedCount(MetricWindow m) {
        return m != null
                && ACCEPTED_METRIC.equals(m.getMetric())
                && m.getDimensions().get("source") != null
                && Duration.between(m.getWindowStart(), m.getWindowEnd()).equals(WINDOW);
    }

    @Override
    public void init(ProcessorContext<String, MetricWindow> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, MetricWindow> record) {
        String source = record.key();
        MetricWindow in = record.value();
        if (source == null || in == null) {
            return;
        }
        long start = in.getWindowStart().toEpochMilli();
        MetricWindow current = store.fetch(source, start);
        double accepted = current == null ? 0 : current.getValues().getOrDefault("accepted", 0.0);
        double troubled = current == null ? 0 : current.getValues().getOrDefault("troubled", 0.0);
        double outside = current == null ? 0 : current.getValues().getOrDefault(OUTSIDE_ACCEPTED, 0.0);
        if (ACCEPTED_METRIC.equals(in.getMetric())) {
            accepted = Math.max(accepted, in.getValue()); // a running count: a replayed older update must not lower it
        } else {
            troubled += in.getValue();
            outside += in.getValues().getOrDefault(OUTSIDE_ACCEPTED, 1.0);
        }
        double total = accepted + outside;
        MetricWindow share = MetricWindow.newBuilder()
                .setMetric(shareMetric)
                .setDimensions(Map.of("source", source))
                .setWindowStart(in.getWindowStart())
                .setWindowEnd(in.getWindowStart().plus(WINDOW))
                .setValue(total == 0 ? 0 : Math.min(1, troubled / total))
                .setSampleCount((long) total)
                .setMeasure("ratio")
                .setValues(Map.of("accepted", accepted, "troubled", troubled, OUTSIDE_ACCEPTED, outside))
                .setUpdatedAt(Instant.now())
                .build();
        store.put(source, share, start);
        if (total >= minEvents) {
            String series = SeriesKey.of(shareMetric, Map.of("source", source)).toString();
            context.forward(record.withKey(series).withValue(share));
        }
    }
}
