package io.sightline.serving.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the serving topology needs, independent of where settings come from.
 *
 * @param retention the warm tier: how long windows of each size stay queryable in the window stores
 */
public record ServingSettings(Map<Duration, Duration> retention) {

    public ServingSettings {
        retention = Map.copyOf(retention);
        for (Duration size : ServingTopology.WINDOW_SIZES) {
            if (!retention.containsKey(size)) {
                throw new IllegalArgumentException("no retention for windows of " + size);
            }
        }
    }

    /** How long windows of {@code size} are kept: at least one window. */
    public Duration retention(Duration size) {
        Duration kept = retention.get(size);
        return kept.compareTo(size) < 0 ? size : kept;
    }

    /** The start of the oldest window of {@code size} still kept at {@code now}. */
    public Instant horizon(Duration size, Instant now) {
        return now.minus(retention(size));
    }
}
