package io.sightline.enrich.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the enrich topology needs to know, independent of where settings come from.
 *
 * @param dedupWindow     how long a messageId is remembered per source
 * @param futureTolerance how far ahead of the receive time an event may be before it is clamped to it
 * @param maxPast         how far behind the receive time an event may be
 * @param sessionGap      inactivity that ends a session
 * @param piiKeys         keys whose values are replaced by a keyed hash
 * @param piiSecret       HMAC key for those hashes
 * @param productIdProperty event property holding the product id
 * @param geoDatabase     MaxMind database, when geo enrichment is on
 */
public record EnrichSettings(
        Duration dedupWindow,
        Duration futureTolerance,
        Duration maxPast,
        Duration sessionGap,
        List<String> piiKeys,
        String piiSecret,
        String productIdProperty,
        Optional<Path> geoDatabase) {

    public EnrichSettings {
        piiKeys = List.copyOf(piiKeys);
        if (piiSecret == null || piiSecret.isEmpty()) {
            throw new IllegalArgumentException("pii secret must not be empty");
        }
    }

    /** The defaults of {@code EnrichConfig}, for tests and tools. */
    public static EnrichSettings defaults() {
        return new EnrichSettings(
                Duration.ofHours(24),
                Duration.ofMinutes(1),
                Duration.ofDays(7),
                Duration.ofMinutes(30),
                List.of("email", "phone"),
                "sightline-enrich",
                "product_id",
                Optional.empty());
    }

    public EnrichSettings withDedupWindow(Duration window) {
        return new EnrichSettings(
                window, futureTolerance, maxPast, sessionGap, piiKeys, piiSecret, productIdProperty, geoDatabase);
    }

    public EnrichSettings withSessionGap(Duration gap) {
        return new EnrichSettings(
                dedupWindow, futureTolerance, maxPast, gap, piiKeys, piiSecret, productIdProperty, geoDatabase);
    }
}
