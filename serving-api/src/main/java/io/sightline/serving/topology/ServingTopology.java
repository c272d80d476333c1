package io.sightline.serving.topology;

import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Duration;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Materializes the processors' output for interactive queries: metric windows into a
 * window store (one entry per series and window start, the latest update winning) and
 * alerts into a key-value store by fingerprint.
 */
public final class ServingTopology {

    public static final String METRIC_STORE = "metric-windows-1m";
    public static final String ALERT_STORE = "alerts";
    public static final Duration WINDOW_SIZE = Duration.ofMinutes(1);

    private ServingTopology() {
    }

    public static Topology build(Topics topics, Duration retention) {
        Topic<String, MetricWindow> metrics = topics.metricsWindowed();
        Topic<String, Alert> alerts = topics.alerts();
        StreamsBuilder builder = new StreamsBuilder();

        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(METRIC_STORE, retention, WINDOW_SIZE, false),
                metrics.keySerde(), metrics.valueSerde()));
        builder.stream(metrics.name(), Consumed.with(metrics.keySerde(), metrics.valueSerde()).withName("metric-windows"))
                .process(WindowWriter::new, Named.as("store-metric-windows"), METRIC_STORE);

        builder.table(alerts.name(), Consumed.with(alerts.keySerde(), alerts.valueSerde()).withName("alert-changes"),
                Materialized.<String, Alert, KeyValueStore<Bytes, byte[]>>as(ALERT_STORE)
                        .withKeySerde(alerts.keySerde()).withValueSerde(alerts.valueSerde()));
        return builder.build();
    }

    /** Puts each update at its window's start, so a later update of the same window replaces the earlier one. */
    private static final class WindowWriter implements Processor<String, MetricWindow, Void, Void> {
        private WindowStore<String, MetricWindow> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(METRIC_STORE);
        }

        @Override
        public void process(Record<String, MetricWindow> record) {
            if (record.value() != null) {
                store.put(record.key(), record.value(), record.value().getWindowStart().toEpochMilli());
            }
        }
    }
}
