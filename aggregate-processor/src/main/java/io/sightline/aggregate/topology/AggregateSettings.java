package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.MetricDefinitions;
import java.time.Duration;

/**
 * What the aggregate topology needs, independent of where settings come from.
 *
 * @param definitions  the metrics to compute
 * @param grace        how long after a window's end it closes with a final value
 * @param horizons     how long after a window's end late events still revise it, per window size
 * @param emitInterval how often changed open windows are published; zero publishes every update
 * @param defaultCap   distinct dimension combinations per metric (per input partition) before {@code other}
 */
public record AggregateSettings(
        MetricDefinitions definitions,
        Duration grace,
        LatenessHorizons horizons,
        Duration emitInterval,
        int defaultCap) {}
