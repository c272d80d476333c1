package io.sightline.anomaly;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.anomaly.forwarding.AlertForwarder;
import io.sightline.anomaly.rules.DataQualityRules;
import io.sightline.anomaly.rules.RuleKey;
import io.sightline.anomaly.rules.RuleKeys;
import io.sightline.anomaly.rules.RuleSet;
import io.sightline.anomaly.topology.AnomalySettings;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsAppSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the anomaly processor. The {@code detector.*} settings are the defaults
 * of every metric; the rules file (if any) overrides them per metric.
 */
public final class AnomalyConfig extends ServiceConfig {

    public static final String RULES_FILE_CONFIG = "detector.rules.file";
    private static final String RULES_FILE_DOC =
            "YAML (or JSON) file of per-metric detection rules (see docs/anomaly-detection.md); "
                    + "empty: every metric uses the detector.* settings.";

    public static final String MAX_SERIES_CONFIG = "detector.max.series";
    private static final String MAX_SERIES_DOC =
            "Series each stream task keeps a baseline for; past it the least recently updated are evicted (counted in series-evicted-total).";

    public static final String EVICTION_INTERVAL_MS_CONFIG = "detector.eviction.interval.ms";
    private static final String EVICTION_INTERVAL_MS_DOC =
            "How often (wall clock) the series cap is enforced and the learning gauge refreshed.";

    public static final String FORWARD_URL_CONFIG = "alert.forward.url";
    private static final String FORWARD_URL_DOC =
            "Also send every alert change here: an Alertmanager's http://host:9093/api/v2/alerts or a webhook URL; empty: alerts.v1 only.";

    public static final String FORWARD_FORMAT_CONFIG = "alert.forward.format";
    private static final String FORWARD_FORMAT_DOC =
            "Payload: alertmanager (a JSON array of Alertmanager alerts) or webhook (Alertmanager-webhook-style envelope with every alert field).";

    public static final String FORWARD_QUEUE_SIZE_CONFIG = "alert.forward.queue.size";
    private static final String FORWARD_QUEUE_SIZE_DOC =
            "Alerts waiting to be forwarded; past it new ones are dropped and counted (alerts-forward-dropped).";

    public static final String FORWARD_MAX_RETRIES_CONFIG = "alert.forward.max.retries";
    private static final String FORWARD_MAX_RETRIES_DOC =
            "Retries (exponential backoff from 200 ms) on connection errors, 429 and 5xx before a batch is given up.";

    public static final String VIOLATION_SHARE_MAX_CONFIG = "quality.violation.share.max";
    private static final String VIOLATION_SHARE_MAX_DOC =
            "Alert (ViolationShareHigh) when a source's events with tracking-plan violations exceed this share of its events in a minute.";

    public static final String REJECTED_SHARE_MAX_CONFIG = "quality.rejected.share.max";
    private static final String REJECTED_SHARE_MAX_DOC =
            "Alert (RejectedShareHigh) when a source's rejected events exceed this share of its events in a minute.";

    public static final String REJECTED_MIN_EVENTS_CONFIG = "quality.rejected.min.events";
    private static final String REJECTED_MIN_EVENTS_DOC =
            "A source's share of rejected events is judged only in minutes with at least this many events.";

    public static final String LAG_MAX_SECONDS_CONFIG = "quality.lag.max.seconds";
    private static final String LAG_MAX_SECONDS_DOC =
            "Alert (PipelineLagHigh) when a pipeline stage is further behind its input than this, for a whole minute.";

    public static final String LAG_GROUPS_CONFIG = "quality.lag.groups";
    private static final String LAG_GROUPS_DOC =
            "Pipeline stages whose lag is measured: the application ids (consumer groups) of the Streams apps.";

    public static final String LAG_INTERVAL_MS_CONFIG = "quality.lag.interval.ms";
    private static final String LAG_INTERVAL_MS_DOC =
            "How often the lag of the pipeline stages is measured; 0 turns the measurement off.";

    public static final ConfigDef DEFINITION = withRuleDefaults(
                    StreamsAppSettings.define(baseDefinition(8084), "sightline-anomaly"))
            .define(RULES_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, RULES_FILE_DOC)
            .define(MAX_SERIES_CONFIG, Type.INT, 100_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM, MAX_SERIES_DOC)
            .define(
                    EVICTION_INTERVAL_MS_CONFIG,
                    Type.LONG,
                    30_000L,
                    ConfigDef.Range.atLeast(100),
                    Importance.LOW,
                    EVICTION_INTERVAL_MS_DOC)
            .define(FORWARD_URL_CONFIG, Type.STRING, "", Importance.MEDIUM, FORWARD_URL_DOC)
            .define(
                    FORWARD_FORMAT_CONFIG,
                    Type.STRING,
                    "alertmanager",
                    ConfigDef.ValidString.in("alertmanager", "webhook"),
                    Importance.LOW,
                    FORWARD_FORMAT_DOC)
            .define(
                    FORWARD_QUEUE_SIZE_CONFIG,
                    Type.INT,
                    10_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    FORWARD_QUEUE_SIZE_DOC)
            .define(
                    FORWARD_MAX_RETRIES_CONFIG,
                    Type.INT,
                    5,
                    ConfigDef.Range.between(0, 30),
                    Importance.LOW,
                    FORWARD_MAX_RETRIES_DOC)
            .define(
                    REJECTED_SHARE_MAX_CONFIG,
                    Type.DOUBLE,
                    0.05,
                    ConfigDef.Range.between(0.0, 1.0),
                    Importance.MEDIUM,
                    REJECTED_SHARE_MAX_DOC)
            .define(
                    VIOLATION_SHARE_MAX_CONFIG,
                    Type.DOUBLE,
                    0.05,
                    ConfigDef.Range.between(0.0, 1.0),
                    Importance.MEDIUM,
                    VIOLATION_SHARE_MAX_DOC)
            .define(
                    REJECTED_MIN_EVENTS_CONFIG,
                    Type.INT,
                    20,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    REJECTED_MIN_EVENTS_DOC)
            .define(
                    LAG_MAX_SECONDS_CONFIG,
                    Type.DOUBLE,
                    120.0,
                    ConfigDef.Range.atLeast(1.0),
                    Importance.MEDIUM,
                    LAG_MAX_SECONDS_DOC)
            .define(
                    LAG_GROUPS_CONFIG,
                    Type.LIST,
                    "sightline-enrich,sightline-aggregate,sightline-anomaly,sightline-serving",
                    Importance.MEDIUM,
                    LAG_GROUPS_DOC)
            .define(
                    LAG_INTERVAL_MS_CONFIG,
                    Type.LONG,
                    15_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.LOW,
                    LAG_INTERVAL_MS_DOC);

    private final RuleSet rules;

    /** The {@code detector.*} settings: the defaults of the rule keys that have one, declared with the keys ({@link RuleKeys}). */
    private static ConfigDef withRuleDefaults(ConfigDef definition) {
        for (RuleKey<?> key : RuleKeys.ALL) {
            RuleKey.Setting setting = key.setting();
            if (setting != null) {
                definition.define(
                        setting.name(),
                        setting.type(),
                        setting.defaultValue(),
                        setting.validator(),
                        Importance.MEDIUM,
                        key.doc() + " The default of the rule key " + key.name() + " (docs/anomaly-detection.md).");
            }
        }
        return definition;
    }

    public AnomalyConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.rules = loadRules();
        String url = getString(FORWARD_URL_CONFIG);
        if (!url.isBlank() && !url.matches("https?://.+")) {
            throw new ConfigException("SIGHTLINE_ALERT_FORWARD_URL must be an http(s) URL, not '" + url + "'");
        }
    }

    /** The forwarder the settings ask for (not started), or null. */
    public AlertForwarder forwarder() {
        String url = getString(FORWARD_URL_CONFIG);
        if (url.isBlank()) {
            return null;
        }
        return new AlertForwarder(
                URI.create(url),
                AlertForwarder.format(getString(FORWARD_FORMAT_CONFIG)),
                getInt(FORWARD_QUEUE_SIZE_CONFIG),
                getInt(FORWARD_MAX_RETRIES_CONFIG),
                Duration.ofSeconds(5),
                Duration.ofMillis(200));
    }

    /** The rule every metric gets unless the rules file says otherwise: the keys' defaults and the detector.* settings. */
    public ObjectNode ruleBase() {
        return RuleSet.base(values());
    }

    private RuleSet loadRules() {
        var base = ruleBase();
        String file = getString(RULES_FILE_CONFIG);
        var builtIns = DataQualityRules.entries(
                getDouble(REJECTED_SHARE_MAX_CONFIG),
                getDouble(VIOLATION_SHARE_MAX_CONFIG),
                getDouble(LAG_MAX_SECONDS_CONFIG));
        try {
            if (file.isBlank()) {
                return RuleSet.of(base, builtIns);
            }
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new ConfigException(
                        "SIGHTLINE_DETECTOR_RULES_FILE names " + file + ", which does not exist or cannot be read");
            }
            return RuleSet.load(base, path, builtIns);
        } catch (IllegalArgumentException e) {
            // The message names the entry and the key; the setting to fix is the file, or the detector.* settings it
            // names.
            throw new ConfigException(
                    file.isBlank() ? e.getMessage() : e.getMessage() + " (SIGHTLINE_DETECTOR_RULES_FILE)");
        }
    }

    public RuleSet rules() {
        return rules;
    }

    public AnomalySettings topologySettings() {
        return new AnomalySettings(
                rules,
                getInt(MAX_SERIES_CONFIG),
                Duration.ofMillis(getLong(EVICTION_INTERVAL_MS_CONFIG)),
                getInt(REJECTED_MIN_EVENTS_CONFIG),
                null);
    }
}
