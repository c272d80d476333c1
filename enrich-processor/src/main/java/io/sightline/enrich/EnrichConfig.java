package io.sightline.enrich;

import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsAppSettings;
import io.sightline.enrich.topology.EnrichSettings;
import io.sightline.privacy.PiiSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the enrich processor. */
public final class EnrichConfig extends ServiceConfig {

    public static final String DEDUP_WINDOW_MS_CONFIG = "dedup.window.ms";
    private static final String DEDUP_WINDOW_MS_DOC =
            "How long a messageId is remembered (per source): a second event with the same id within this time (by gateway receive time) is dropped and counted.";

    public static final String EVENT_FUTURE_TOLERANCE_MS_CONFIG = "event.future.tolerance.ms";
    private static final String EVENT_FUTURE_TOLERANCE_MS_DOC =
            "Events whose corrected timestamp is further than this ahead of the gateway's receive time get the receive time as their timestamp, marked timeCorrection: future_clamped (a fast client clock never places events in windows no one else has reached). At most 1 h: brokers refuse records more than message.timestamp.after.max.ms (1 h by default) in the future.";

    public static final String EVENT_MAX_PAST_MS_CONFIG = "event.max.past.ms";
    private static final String EVENT_MAX_PAST_MS_DOC =
            "Events whose corrected timestamp is further than this behind the gateway's receive time go to the dead-letter topic (event_time_too_old).";

    public static final String SESSION_GAP_MS_CONFIG = "session.inactivity.gap.ms";
    private static final String SESSION_GAP_MS_DOC =
            "A user's next event after this much inactivity (event time) starts a new session.";

    public static final String PRODUCT_ID_PROPERTY_CONFIG = "catalog.product.id.property";
    private static final String PRODUCT_ID_PROPERTY_DOC =
            "Event property that holds the product id joined against catalog.products.v1.";

    public static final String GEO_DATABASE_PATH_CONFIG = "geo.database.path";
    private static final String GEO_DATABASE_PATH_DOC =
            "Path of a MaxMind-format city or country database (.mmdb); empty turns geo enrichment off.";

    public static final ConfigDef DEFINITION = PiiSettings.define(StreamsAppSettings.define(
                    withAccessTokens(withAdvertisedEndpoint(baseDefinition(8082)), Importance.HIGH),
                    "sightline-enrich"))
            .define(
                    DEDUP_WINDOW_MS_CONFIG,
                    Type.LONG,
                    Duration.ofHours(24).toMillis(),
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    DEDUP_WINDOW_MS_DOC)
            .define(
                    EVENT_FUTURE_TOLERANCE_MS_CONFIG,
                    Type.LONG,
                    Duration.ofMinutes(1).toMillis(),
                    ConfigDef.Range.between(0, Duration.ofHours(1).toMillis()),
                    Importance.MEDIUM,
                    EVENT_FUTURE_TOLERANCE_MS_DOC)
            .define(
                    EVENT_MAX_PAST_MS_CONFIG,
                    Type.LONG,
                    Duration.ofDays(7).toMillis(),
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    EVENT_MAX_PAST_MS_DOC)
            .define(
                    SESSION_GAP_MS_CONFIG,
                    Type.LONG,
                    Duration.ofMinutes(30).toMillis(),
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    SESSION_GAP_MS_DOC)
            .define(
                    PRODUCT_ID_PROPERTY_CONFIG,
                    Type.STRING,
                    "product_id",
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    PRODUCT_ID_PROPERTY_DOC)
            .define(GEO_DATABASE_PATH_CONFIG, Type.STRING, "", Importance.LOW, GEO_DATABASE_PATH_DOC);

    public EnrichConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }

    /** The topology's options from these settings. */
    public EnrichSettings topologySettings() {
        String geo = getString(GEO_DATABASE_PATH_CONFIG);
        return new EnrichSettings(
                Duration.ofMillis(getLong(DEDUP_WINDOW_MS_CONFIG)),
                Duration.ofMillis(getLong(EVENT_FUTURE_TOLERANCE_MS_CONFIG)),
                Duration.ofMillis(getLong(EVENT_MAX_PAST_MS_CONFIG)),
                Duration.ofMillis(getLong(SESSION_GAP_MS_CONFIG)),
                PiiSettings.keys(this),
                PiiSettings.secret(this),
                getString(PRODUCT_ID_PROPERTY_CONFIG),
                geo.isBlank() ? Optional.empty() : Optional.of(java.nio.file.Path.of(geo)));
    }
}
