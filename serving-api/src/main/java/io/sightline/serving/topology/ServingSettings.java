package io.sightline.serving.topology;

import java.time.Duration;

/**
 * What the serving topology needs, independent of where settings come from.
 *
 * @param metricsRetention how long windows stay queryable in the window stores (at least one window)
 */
public record ServingSettings(Duration metricsRetention) {}
