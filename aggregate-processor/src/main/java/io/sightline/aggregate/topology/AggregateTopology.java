package io.sightline.aggregate.topology;

import io.sightline.common.streams.EventTimeExtractor;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.TrackedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Counts events per event name in one-minute tumbling windows (event time) and
 * publishes every update of an open window, so dashboards and the anomaly detector
 * see a window fill up instead of waiting for it to close.
 */
public final class AggregateTopology {

    public static final String EVENT_COUNT_METRIC = "event_count";
    public static final String EVENT_DIMENSION = "event";
    public static final Duration WINDOW_SIZE = Duration.ofMinutes(1);
    public static final String EVENT_COUNT_STORE = "event-count-1m";

    private AggregateTopology() {
    }

    public static Topology build(Topics topics, Duration grace, Duration retention) {
        Topic<String, EnrichedEvent> enriched = topics.eventsEnriched();
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        StreamsBuilder builder = new StreamsBuilder();

        builder.stream(enriched.name(), Consumed.with(enriched.keySerde(), enriched.valueSerde())
                        .withTimestampExtractor(new EventTimeExtractor()).withName("enriched-events"))
                // Only the user key travels through the repartition topic, not the whole event.
                .map((user, event) -> KeyValue.pair(seriesKey(event.getEvent()), user), Named.as("key-by-series"))
                .groupByKey(Grouped.with("events-by-series", Serdes.String(), Serdes.String()))
                .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_SIZE, grace))
                .count(Named.as("count-events"), Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(EVENT_COUNT_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long())
                        .withRetention(retention.compareTo(WINDOW_SIZE.plus(grace)) < 0 ? WINDOW_SIZE.plus(grace) : retention))
                .toStream(Named.as("window-updates"))
                .map((window, count) -> {
                    SeriesKey key = SeriesKey.parse(window.key());
                    return KeyValue.pair(window.key(), MetricWindow.newBuilder()
                            .setMetric(key.metric())
                            .setDimensions(Map.copyOf(key.dimensions()))
                            .setWindowStart(window.window().startTime())
                            .setWindowEnd(window.window().endTime())
                            .setValue(count)
                            .setUpdatedAt(Instant.now())
                            .build());
                }, Named.as("to-metric-window"))
                .to(metrics.name(), Produced.with(metrics.keySerde(), metrics.valueSerde()).withName("to-metrics-windowed"));

        return builder.build();
    }

    static String seriesKey(TrackedEvent event) {
        return SeriesKey.of(EVENT_COUNT_METRIC, Map.of(EVENT_DIMENSION, eventName(event))).toString();
    }

    /** Track calls count under their own name; other calls under {@code $page}, {@code $identify}, ... */
    public static String eventName(TrackedEvent event) {
        return switch (event.getType()) {
            case track -> event.getEvent();
            default -> "$" + event.getType().name();
        };
    }
}
