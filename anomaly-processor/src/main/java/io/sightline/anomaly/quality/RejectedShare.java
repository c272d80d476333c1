package io.sightline.anomaly.quality;

import io.sightline.anomaly.rules.DataQualityRules;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The share of rejected events per source and minute, {@code rejected_share{source=...}}:
 * dead letters of the source over its accepted events (the aggregator's
 * {@code events_by_source} count of the same minute) plus the dead letters. Both inputs
 * arrive keyed by source as {@link MetricWindow}s: the aggregator's running count, which
 * replaces the accepted count, and one contribution per dead letter, which adds to the
 * rejected count. The share is emitted once the minute has enough events to judge.
 */
public final class RejectedShare implements Processor<String, MetricWindow, String, MetricWindow> {

    public static final String STORE = "rejected-share";
    /** The aggregator's per-source event count (one of the default metric definitions). */
    public static final String ACCEPTED_METRIC = "events_by_source";
    static final String REJECTED_CONTRIBUTION = "$rejected";
    public static final Duration WINDOW = Duration.ofMinutes(1);
    public static final Duration RETENTION = Duration.ofMinutes(30);

    private final int minEvents;
    private WindowStore<String, MetricWindow> store;
    private ProcessorContext<String, MetricWindow> context;

    public RejectedShare(int minEvents) {
        this.minEvents = minEvents;
    }

    /** One dead letter as a contribution to its source's minute, or null if it names no source. */
    public static MetricWindow contribution(DeadLetter letter) {
        if (letter == null || letter.getSource() == null) {
            return null;
        }
        long start = letter.getTime().toEpochMilli() / WINDOW.toMillis() * WINDOW.toMillis();
        return MetricWindow.newBuilder().setMetric(REJECTED_CONTRIBUTION).setDimensions(Map.of("source", letter.getSource()))
                .setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(start).plus(WINDOW))
                .setValue(1).setSampleCount(1).setUpdatedAt(letter.getTime()).build();
    }

    /** Whether {@code m} is the accepted count of a source for one minute. */
    public static boolean isAcceptedCount(MetricWindow m) {
        return m != null && ACCEPTED_METRIC.equals(m.getMetric()) && m.getDimensions().get("source") != null
                && Duration.between(m.getWindowStart(), m.getWindowEnd()).equals(WINDOW);
    }

    @Override
    public void init(ProcessorContext<String, MetricWindow> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
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
        double rejected = current == null ? 0 : current.getValues().getOrDefault("rejected", 0.0);
        if (ACCEPTED_METRIC.equals(in.getMetric())) {
            accepted = Math.max(accepted, in.getValue()); // a running count: a replayed older update must not lower it
        } else {
            rejected += in.getValue();
        }
        double total = accepted + rejected;
        MetricWindow share = MetricWindow.newBuilder().setMetric(DataQualityRules.REJECTED_SHARE_METRIC)
                .setDimensions(Map.of("source", source)).setWindowStart(in.getWindowStart())
                .setWindowEnd(in.getWindowStart().plus(WINDOW)).setValue(total == 0 ? 0 : rejected / total)
                .setSampleCount((long) total).setValues(Map.of("accepted", accepted, "rejected", rejected))
                .setUpdatedAt(Instant.now()).build();
        store.put(source, share, start);
        if (total >= minEvents) {
            String series = SeriesKey.of(DataQualityRules.REJECTED_SHARE_METRIC, Map.of("source", source)).toString();
            context.forward(record.withKey(series).withValue(share));
        }
    }
}
