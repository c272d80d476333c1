package io.sightline.testkit;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Reads Kafka Streams metrics in tests (a TopologyTestDriver's or a running app's). */
public final class TaskMetrics {

    private TaskMetrics() {}

    /** The sum of every metric called {@code name}, over all tasks and groups. */
    public static double total(Map<MetricName, ? extends Metric> metrics, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().name().equals(name)) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }
}
