package io.sightline.common.streams;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.MetricWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Counts the records of a stream per minute into metric series by a few dimensions,
 * {@code metric{dimension=value,...}}, as {@link MetricWindow} updates for
 * {@code metrics.windowed.v1}: value and sample count are the records counted in the
 * window (by record timestamp), {@code isFinal} is always false (the count is updated
 * as records come, never closed). Meant for rare records (dropped duplicates, late
 * events, dead letters), so that what a processor drops is a series the serving API,
 * the dashboard and the anomaly detector see.
 *
 * <p>Only the series key travels through the repartition topic, never the
 * record's value: a raw event must not reach an internal topic before its PII is
 * masked, and a rare-event counter should cost next to nothing.
 *
 * <p>Every node is named after {@code name}: the repartition topic
 * {@code <name>-by-<dimensions>} (joined by {@code -and-}), the window store
 * {@code <name>-counts}, the processors {@code <name>-keyed-by-<dimensions>}, {@code count-<name>},
 * {@code <name>-updates} and {@code <name>-as-metric}.
 */
public final class CountSeries {

    /** The size of the counting windows. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    private static final byte[] NOTHING = new byte[0];

    private CountSeries() {}

    /** The window store of the count series named {@code name}, for interactive queries and tests. */
    public static String storeName(String name) {
        return name + "-counts";
    }

    /**
     * @param records    the records to count
     * @param dimensions the series' dimension names
     * @param values     the values of those dimensions for a record, in the same order (null counts as empty)
     * @param metric     the series' metric name
     * @param name       prefix of the processor, store and repartition topic names
     * @param grace      how long after a minute's end records of that minute still count
     */
    public static <K, V> KStream<String, MetricWindow> perMinute(
            KStream<K, V> records,
            List<String> dimensions,
            KeyValueMapper<? super K, ? super V, List<String>> values,
            String metric,
            String name,
            Duration grace) {
        String by = String.join("-and-", dimensions);
        return records.map(
                        (key, value) -> KeyValue.pair(seriesKey(metric, dimensions, values.apply(key, value)), NOTHING),
                        Named.as(name + "-keyed-by-" + by))
                .groupByKey(Grouped.with(name + "-by-" + by, Serdes.String(), Serdes.ByteArray()))
                .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, grace))
                .count(
                        Named.as("count-" + name),
                        Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(storeName(name))
                                .withKeySerde(Serdes.String())
                                .withValueSerde(Serdes.Long()))
                .toStream(Named.as(name + "-updates"))
                .map(
                        (window, count) -> {
                            SeriesKey series = SeriesKey.parse(window.key());
                            long n = count == null ? 0 : count;
                            MetricWindow update = MetricWindow.newBuilder()
                                    .setMetric(metric)
                                    .setDimensions(Map.copyOf(series.dimensions()))
                                    .setWindowStart(window.window().startTime())
                                    .setWindowEnd(window.window().endTime())
                                    .setValue(n)
                                    .setSampleCount(n)
                                    .setMeasure("count")
                                    .setUpdatedAt(Instant.now())
                                    .setIsFinal(false)
                                    .build();
                            return KeyValue.pair(window.key(), update);
                        },
                        Named.as(name + "-as-metric"));
    }

    private static String seriesKey(String metric, List<String> dimensions, List<String> values) {
        Map<String, String> dims = new TreeMap<>();
        for (int i = 0; i < dimensions.size(); i++) {
            dims.put(dimensions.get(i), Objects.requireNonNullElse(values.get(i), ""));
        }
        return SeriesKey.of(metric, dims).toString();
    }
}
