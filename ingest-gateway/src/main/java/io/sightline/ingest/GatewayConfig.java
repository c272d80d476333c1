package io.sightline.ingest;

import io.sightline.common.config.ServiceConfig;
import io.sightline.ingest.http.TrustedProxies;
import io.sightline.plans.PlanBindings;
import io.sightline.privacy.PiiSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the ingest gateway. */
public final class GatewayConfig extends ServiceConfig {

    public static final String WRITE_KEYS_CONFIG = "write.keys";
    private static final String WRITE_KEYS_DOC =
            "Accepted write keys and the source each one maps to, as key:source pairs, comma-separated.";

    public static final String ACK_TIMEOUT_MS_CONFIG = "ack.timeout.ms";
    private static final String ACK_TIMEOUT_MS_DOC =
            "How long a request waits for Kafka to acknowledge its events before answering 503.";

    public static final String MAX_REQUEST_BYTES_CONFIG = "max.request.bytes";
    private static final String MAX_REQUEST_BYTES_DOC =
            "Largest request body accepted (after decompression); larger requests get 413.";

    public static final String MAX_EVENT_BYTES_CONFIG = "max.event.bytes";
    private static final String MAX_EVENT_BYTES_DOC =
            "Largest single event accepted; larger events are rejected with 413 (or per item in a batch).";

    public static final String MAX_BATCH_ITEMS_CONFIG = "max.batch.items";
    private static final String MAX_BATCH_ITEMS_DOC = "Most events accepted in one batch request.";

    public static final String RETRY_AFTER_SECONDS_CONFIG = "retry.after.seconds";
    private static final String RETRY_AFTER_SECONDS_DOC =
            "Retry-After (seconds) sent with a 503 when Kafka did not acknowledge in time or the producer buffer is full.";

    public static final String RATE_LIMIT_EVENTS_PER_SECOND_CONFIG = "rate.limit.events.per.second";
    private static final String RATE_LIMIT_EVENTS_PER_SECOND_DOC =
            "Events per second each source may send on average (a token bucket per source, shared by its write keys, in each gateway replica); more get 429 with Retry-After. 0 turns the limit off.";

    public static final String RATE_LIMIT_BURST_CONFIG = "rate.limit.burst";
    private static final String RATE_LIMIT_BURST_DOC =
            "Events a source may send at once above its average rate (the bucket's size); at least max.batch.items, so a full batch can pass.";

    public static final String TRUSTED_PROXIES_CONFIG = "trusted.proxies";
    private static final String TRUSTED_PROXIES_DOC =
            "Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For header is believed when finding the client address (context.ip), comma-separated; empty believes none.";

    public static final String SHUTDOWN_DRAIN_MS_CONFIG = "shutdown.drain.ms";
    private static final String SHUTDOWN_DRAIN_MS_DOC =
            "On shutdown, how long requests already being served may take to finish (after new connections are refused) before the producer is flushed and closed.";

    public static final String TRACKING_PLANS_CONFIG = "tracking.plans";
    private static final String TRACKING_PLANS_DOC =
            "Which tracking plan each source is checked against, as source=plan pairs, comma-separated (e.g. web=web,ios=mobile); "
                    + "a source without one is not checked. Plans are published with PUT /v1/tracking-plans/{name}.";

    public static final String TRACKING_PLAN_MODES_CONFIG = "tracking.plan.modes";
    private static final String TRACKING_PLAN_MODES_DOC =
            "What happens to each type of tracking-plan violation, as [source:]type=mode entries, comma-separated; "
                    + "type is unplanned_event, required_missing, type_mismatch, additional_property, enum_mismatch, constraint or *; mode is allow, "
                    + "flag (kept, violations attached and recorded), omit (offending properties removed) or block (dead-lettered). The most specific entry wins.";

    public static final String ADMIN_TOKENS_CONFIG = tokensSetting("admin");

    public static final String CATALOG_REPORT_MS_CONFIG = "catalog.report.ms";
    private static final String CATALOG_REPORT_MS_DOC =
            "How often the gateway reports what it observed of each event name (count, properties and their JSON types) "
                    + "to quality.observations.v1, the source of the event catalog and of drift alerts.";

    public static final ConfigDef DEFINITION = withTokens(
                    PiiSettings.define(withCors(baseDefinition(8080), "*")),
                    "admin",
                    Importance.MEDIUM,
                    "Tokens with the admin scope (tracking plans, regulations, retention, audit), named admin in the audit log;"
                            + " with these and access.tokens empty the admin API is refused.")
            .define(WRITE_KEYS_CONFIG, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, WRITE_KEYS_DOC)
            .define(
                    ACK_TIMEOUT_MS_CONFIG,
                    Type.LONG,
                    10_000L,
                    ConfigDef.Range.atLeast(100),
                    Importance.MEDIUM,
                    ACK_TIMEOUT_MS_DOC)
            .define(
                    MAX_REQUEST_BYTES_CONFIG,
                    Type.INT,
                    500 * 1024,
                    ConfigDef.Range.atLeast(1024),
                    Importance.MEDIUM,
                    MAX_REQUEST_BYTES_DOC)
            .define(
                    MAX_EVENT_BYTES_CONFIG,
                    Type.INT,
                    32 * 1024,
                    ConfigDef.Range.atLeast(256),
                    Importance.MEDIUM,
                    MAX_EVENT_BYTES_DOC)
            .define(
                    MAX_BATCH_ITEMS_CONFIG,
                    Type.INT,
                    2500,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    MAX_BATCH_ITEMS_DOC)
            .define(
                    RETRY_AFTER_SECONDS_CONFIG,
                    Type.INT,
                    5,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    RETRY_AFTER_SECONDS_DOC)
            .define(
                    RATE_LIMIT_EVENTS_PER_SECOND_CONFIG,
                    Type.DOUBLE,
                    10_000.0,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    RATE_LIMIT_EVENTS_PER_SECOND_DOC)
            .define(
                    RATE_LIMIT_BURST_CONFIG,
                    Type.INT,
                    20_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    RATE_LIMIT_BURST_DOC)
            .define(TRUSTED_PROXIES_CONFIG, Type.LIST, "", Importance.MEDIUM, TRUSTED_PROXIES_DOC)
            .define(
                    SHUTDOWN_DRAIN_MS_CONFIG,
                    Type.LONG,
                    10_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    SHUTDOWN_DRAIN_MS_DOC)
            .define(TRACKING_PLANS_CONFIG, Type.LIST, "", Importance.MEDIUM, TRACKING_PLANS_DOC)
            .define(TRACKING_PLAN_MODES_CONFIG, Type.LIST, "*=flag", Importance.MEDIUM, TRACKING_PLAN_MODES_DOC)
            .define(
                    CATALOG_REPORT_MS_CONFIG,
                    Type.LONG,
                    10_000L,
                    ConfigDef.Range.atLeast(100),
                    Importance.LOW,
                    CATALOG_REPORT_MS_DOC);

    private final Map<String, String> sourcesByWriteKey;
    private final TrustedProxies trustedProxies;
    private final PlanBindings planBindings;

    public GatewayConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.sourcesByWriteKey = parseWriteKeys(getPassword(WRITE_KEYS_CONFIG).value());
        if (rateLimitEventsPerSecond() > 0 && rateLimitBurst() < maxBatchItems()) {
            throw new ConfigException(
                    "SIGHTLINE_RATE_LIMIT_BURST (" + rateLimitBurst() + ") must be at least SIGHTLINE_MAX_BATCH_ITEMS ("
                            + maxBatchItems() + "), or a full batch could never pass the rate limit");
        }
        this.trustedProxies = TrustedProxies.parse(getList(TRUSTED_PROXIES_CONFIG));
        try {
            this.planBindings = PlanBindings.parse(getList(TRACKING_PLANS_CONFIG), getList(TRACKING_PLAN_MODES_CONFIG));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("SIGHTLINE_TRACKING_PLANS or SIGHTLINE_TRACKING_PLAN_MODES: " + e.getMessage());
        }
        for (String source : planBindings.plansBySource().keySet()) {
            if (!sourcesByWriteKey.containsValue(source)) {
                throw new ConfigException("SIGHTLINE_TRACKING_PLANS names source '" + source
                        + "', which no write key in SIGHTLINE_WRITE_KEYS maps to");
            }
        }
    }

    public long catalogReportMs() {
        return getLong(CATALOG_REPORT_MS_CONFIG);
    }

    public PlanBindings planBindings() {
        return planBindings;
    }

    public Set<String> adminTokens() {
        return tokens("admin");
    }

    public int retryAfterSeconds() {
        return getInt(RETRY_AFTER_SECONDS_CONFIG);
    }

    /** 0 when the rate limit is off. */
    public double rateLimitEventsPerSecond() {
        return getDouble(RATE_LIMIT_EVENTS_PER_SECOND_CONFIG);
    }

    public int rateLimitBurst() {
        return getInt(RATE_LIMIT_BURST_CONFIG);
    }

    public TrustedProxies trustedProxies() {
        return trustedProxies;
    }

    public long shutdownDrainMs() {
        return getLong(SHUTDOWN_DRAIN_MS_CONFIG);
    }

    /** Write key to source name. */
    public Map<String, String> sourcesByWriteKey() {
        return sourcesByWriteKey;
    }

    public long ackTimeoutMs() {
        return getLong(ACK_TIMEOUT_MS_CONFIG);
    }

    public int maxRequestBytes() {
        return getInt(MAX_REQUEST_BYTES_CONFIG);
    }

    public int maxEventBytes() {
        return getInt(MAX_EVENT_BYTES_CONFIG);
    }

    public int maxBatchItems() {
        return getInt(MAX_BATCH_ITEMS_CONFIG);
    }

    private static Map<String, String> parseWriteKeys(String value) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : List.of(value.split(","))) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new ConfigException(
                        "SIGHTLINE_WRITE_KEYS must hold key:source pairs separated by commas; one entry has no ':source' part");
            }
            keys.put(trimmed.substring(0, colon), trimmed.substring(colon + 1));
        }
        if (keys.isEmpty()) {
            throw new ConfigException(
                    "SIGHTLINE_WRITE_KEYS is empty: set at least one key:source pair, e.g. local-dev-key:local");
        }
        return Map.copyOf(keys);
    }
}
