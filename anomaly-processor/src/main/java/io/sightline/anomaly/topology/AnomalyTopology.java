package io.sightline.anomaly.topology;

import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.SeriesHistory;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/** Windowed metrics in, alert state changes out; one baseline per series in a state store. */
public final class AnomalyTopology {

    public static final String HISTORY_STORE = "series-history";
    public static final String LATEST_STORE = "series-latest";

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

        builder.stream(metrics.name(), Consumed.with(metrics.keySerde(), metrics.valueSerde()).withName("metric-windows"))
                .process(() -> new SeriesDetector(settings), Named.as("detect-anomalies"), HISTORY_STORE, LATEST_STORE)
                .to(alerts.name(), Produced.with(alerts.keySerde(), alerts.valueSerde()).withName("to-alerts"));
        return builder.build();
    }
}
