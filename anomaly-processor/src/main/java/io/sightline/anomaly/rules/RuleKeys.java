package io.sightline.anomaly.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every key of a detection rule, each declared once: name, type and validation, default
 * (or the {@code detector.*} setting that gives it), and what it means. In file order.
 */
public final class RuleKeys {

    private static final Set<String> SEVERITIES = Set.of("auto", "info", "warning", "critical");

    public static final RuleKey<String> NAME = new RuleKey<>(
            "name",
            RuleKeys::text,
            ObjectNode::put,
            MetricRule::name,
            "anomaly",
            "text",
            "Name of the statistical alert; part of its fingerprint and the `rule` label.",
            null);
    public static final RuleKey<String> MATCH = new RuleKey<>(
            "match",
            RuleKeys::text,
            ObjectNode::put,
            MetricRule::match,
            "*",
            "metric name, `*` as wildcard",
            "Metric name, `*` as wildcard (entries only).",
            null);
    public static final RuleKey<Set<DetectorKind>> DETECTORS = new RuleKey<>(
            "detectors",
            RuleKeys::detectors,
            RuleKeys::writeDetectors,
            MetricRule::detectors,
            EnumSet.of(DetectorKind.SEASONAL, DetectorKind.LEVEL_SHIFT),
            "list of " + names(DetectorKind.class),
            "Statistical detectors combined into the rule's one alert; `[]` for threshold rules only.",
            null);
    public static final RuleKey<Seasonality> SEASONALITY = enumKey(
            "seasonality",
            Seasonality.class,
            MetricRule::seasonality,
            "`none`, `daily`, `weekly`, or `auto`: daily and weekly slots are both learned; the rhythm that has forecast the series better over the last week judges a window where it fits the recent windows better than their level.",
            "detector.seasonality",
            Seasonality.NONE);
    public static final RuleKey<Integer> SLOTS_PER_PERIOD = new RuleKey<>(
            "slotsPerPeriod",
            (v, w, k) -> v.isNull() || v.isMissingNode() ? null : intIn(v, w, k, 1, 10_080),
            ObjectNode::put,
            r -> r.slotsPerPeriod() == r.seasonality().defaultSlots() ? null : r.slotsPerPeriod(),
            null,
            "1 to 10080; default 24 (daily, auto), 168 (weekly)",
            "Slots of the period (hours of the day or week); never finer than one window.",
            null);
    public static final RuleKey<Integer> SEASONAL_PERIODS = intKey(
            "seasonalPeriods",
            1,
            52,
            4,
            MetricRule::seasonalPeriods,
            "Previous periods kept per slot (memory: slots x this many doubles).");
    public static final RuleKey<Integer> MIN_PERIODS = intKey(
            "minPeriods",
            1,
            52,
            2,
            MetricRule::minPeriods,
            "Previous periods a slot needs before the seasonal baseline is used.");
    public static final RuleKey<Double> BLEND = doubleKey(
            "blend",
            0,
            1,
            1.0,
            MetricRule::blend,
            "Weight of the recent level (median residual) added to the seasonal expectation.");
    public static final RuleKey<Integer> HISTORY_WINDOWS = intKey(
            "historyWindows",
            3,
            10_000,
            MetricRule::historyWindows,
            "Recent windows kept and used for level and noise.",
            "detector.history.windows",
            60);
    public static final RuleKey<Integer> MIN_HISTORY = intKey(
            "minHistory",
            2,
            10_000,
            MetricRule::minHistory,
            "Windows of history before a series leaves `learning` and can alert.",
            "detector.min.history",
            5);
    public static final RuleKey<Double> SENSITIVITY = doubleKey(
            "sensitivity",
            0.5,
            1000,
            MetricRule::sensitivity,
            "Score (deviation from the baseline in robust sigma units) at which the alert fires.",
            "detector.threshold",
            5.0);
    public static final RuleKey<Double> RESOLVE_SENSITIVITY = doubleKey(
            "resolveSensitivity",
            0,
            1000,
            MetricRule::resolveSensitivity,
            "Score under which a firing alert may resolve; lower than the sensitivity so alerts do not flap.",
            "detector.resolve.threshold",
            2.5);
    public static final RuleKey<Double> LEVEL_SHIFT_ALPHA = doubleKey(
            "levelShiftAlpha",
            0.01,
            1,
            0.5,
            MetricRule::levelShiftAlpha,
            "EWMA weight of the newest residual in the level-shift detector.");
    public static final RuleKey<Direction> DIRECTION = enumKey(
            "direction",
            Direction.class,
            MetricRule::direction,
            "Which deviations alert: `up`, `down` or `both`.",
            "detector.direction",
            Direction.BOTH);
    public static final RuleKey<Double> MIN_VOLUME = doubleKey(
            "minVolume",
            0,
            Double.MAX_VALUE,
            MetricRule::minVolume,
            "No statistical alert while the observed and expected values are both below this.",
            "detector.min.volume",
            5.0);
    public static final RuleKey<Integer> FIRING_WINDOWS = intKey(
            "firingWindows",
            1,
            1000,
            MetricRule::firingWindows,
            "Consecutive windows beyond the sensitivity before the alert fires (1: a spike fires within its own window).",
            "detector.firing.windows",
            1);
    public static final RuleKey<Integer> RESOLVE_WINDOWS = intKey(
            "resolveWindows",
            1,
            1000,
            MetricRule::resolveWindows,
            "Consecutive complete windows under the resolve sensitivity before a firing alert resolves.",
            "detector.resolve.windows",
            2);
    public static final RuleKey<Long> RENOTIFY = new RuleKey<>(
            "renotify",
            RuleKeys::duration,
            (n, k, millis) -> n.put(k, Duration.ofMillis(millis).toString()),
            MetricRule::renotifyMillis,
            null,
            "ISO-8601 duration such as `PT1H`, or minutes; 0 never",
            "Re-send a firing alert this often (event time) while it lasts.",
            setting(
                    "detector.renotify.minutes",
                    ConfigDef.Type.LONG,
                    240L,
                    ConfigDef.Range.atLeast(0),
                    minutes -> Duration.ofMinutes((Long) minutes).toMillis()));
    public static final RuleKey<String> SEVERITY = new RuleKey<>(
            "severity",
            RuleKeys::severity,
            ObjectNode::put,
            MetricRule::severity,
            "auto",
            "`info`, `warning`, `critical`, `auto`",
            "Severity of the alert; `auto`: critical at twice the sensitivity, else warning.",
            null);
    public static final RuleKey<String> RUNBOOK_URL = new RuleKey<>(
            "runbookUrl",
            (v, w, k) -> v.asText(""),
            ObjectNode::put,
            MetricRule::runbookUrl,
            null,
            "URL, or empty",
            "`runbook_url` annotation of the alert; empty for none.",
            setting("detector.runbook.url", ConfigDef.Type.STRING, "", null));
    public static final RuleKey<List<ThresholdRule>> THRESHOLDS = new RuleKey<>(
            "thresholds",
            RuleKeys::thresholds,
            RuleKeys::writeThresholds,
            MetricRule::thresholds,
            List.of(),
            "list of threshold rules",
            "Threshold rules, each its own alert (keys below).",
            null);
    public static final RuleKey<Gaps> GAPS = enumKey(
            "gaps",
            Gaps.class,
            MetricRule::gaps,
            Gaps.AUTO,
            "What a window without updates is: `zero` (counts: nothing happened), `skip` (gauges, ratios, means, percentiles: unknown, "
                    + "so it neither fires nor teaches the baseline), or `auto`: by what the series measures, as each update's `measure` "
                    + "says (`count`, `unique_users`, `unique_sessions`, `sum` zero; `ratio`, `mean`, `p50`/`p95`/`p99`, `funnel`, "
                    + "`gauge` skip; updates that do not say are counts).");
    public static final RuleKey<Integer> COOLDOWN = intKey(
            "cooldown",
            0,
            100_000,
            0,
            MetricRule::cooldownWindows,
            "Windows after a resolution during which the same alert does not fire again: one anomaly, one alert, for series that "
                    + "hover around the threshold.");
    public static final RuleKey<Double> LIKELIHOOD_TAIL = doubleKey(
            "likelihoodTail",
            1e-9,
            0.1,
            1e-4,
            MetricRule::likelihoodTail,
            "The `likelihood` detector fires when the recent scores are this improbable for the series.");
    public static final RuleKey<Double> OUTLIER_SIGMA = doubleKey(
            "outlierSigma",
            0,
            100,
            0.0,
            MetricRule::outlierSigma,
            "When above 0, the `seasonal` and `level_shift` detectors fire only on windows whose score lies this many standard "
                    + "deviations above the series' usual window score; 0 turns the gate off.");

    /** Every key, in the order the documentation lists them. */
    public static final List<RuleKey<?>> ALL = List.of(
            NAME,
            MATCH,
            DETECTORS,
            SEASONALITY,
            SLOTS_PER_PERIOD,
            SEASONAL_PERIODS,
            MIN_PERIODS,
            BLEND,
            HISTORY_WINDOWS,
            MIN_HISTORY,
            SENSITIVITY,
            RESOLVE_SENSITIVITY,
            LEVEL_SHIFT_ALPHA,
            DIRECTION,
            MIN_VOLUME,
            FIRING_WINDOWS,
            RESOLVE_WINDOWS,
            RENOTIFY,
            SEVERITY,
            RUNBOOK_URL,
            THRESHOLDS,
            GAPS,
            COOLDOWN,
            LIKELIHOOD_TAIL,
            OUTLIER_SIGMA);

    /** Keys of one threshold rule. */
    static final Set<String> THRESHOLD_KEYS =
            Set.of("name", "above", "below", "changePercent", "direction", "forWindows", "minVolume", "severity");

    private static final Map<String, RuleKey<?>> BY_NAME =
            ALL.stream().collect(Collectors.toMap(RuleKey::name, k -> k, (a, b) -> a, LinkedHashMap::new));

    private RuleKeys() {}

    /** The keys a rule may have. */
    static Set<String> names() {
        return BY_NAME.keySet();
    }

    /** Rejects a key no declaration names. */
    static void checkKnown(ObjectNode rule, String where) {
        for (Iterator<String> it = rule.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!BY_NAME.containsKey(key)) {
                throw new IllegalArgumentException(
                        where + ": unknown key '" + key + "'; known keys are " + new TreeSet<>(BY_NAME.keySet()));
            }
        }
    }

    /** A node with every key at its default, the settings' values where a key has a setting. */
    static ObjectNode defaults(ObjectNode empty, Function<String, Object> settings) {
        ALL.forEach(k -> k.writeDefault(empty, settings));
        return empty;
    }

    /** The rule written back with every key set: a base for overriding some keys of it. */
    static ObjectNode toNode(MetricRule rule, ObjectNode empty) {
        ALL.forEach(k -> k.copy(rule, empty));
        return empty;
    }

    // -- declarations -------------------------------------------------------------------------------------------------

    private static RuleKey.Setting setting(
            String name, ConfigDef.Type type, Object defaultValue, ConfigDef.Validator validator) {
        return setting(name, type, defaultValue, validator, v -> v);
    }

    private static RuleKey.Setting setting(
            String name,
            ConfigDef.Type type,
            Object defaultValue,
            ConfigDef.Validator validator,
            Function<Object, Object> toKey) {
        return new RuleKey.Setting(name, type, defaultValue, validator, toKey);
    }

    private static RuleKey<Integer> intKey(
            String name, int min, int max, Integer defaultValue, Function<MetricRule, Integer> getter, String doc) {
        return intKey(name, min, max, defaultValue, getter, doc, null);
    }

    private static RuleKey<Integer> intKey(
            String name,
            int min,
            int max,
            Function<MetricRule, Integer> getter,
            String doc,
            String setting,
            int defaultValue) {
        return intKey(
                name,
                min,
                max,
                null,
                getter,
                doc,
                setting(setting, ConfigDef.Type.INT, defaultValue, ConfigDef.Range.between(min, max)));
    }

    private static RuleKey<Integer> intKey(
            String name,
            int min,
            int max,
            Integer defaultValue,
            Function<MetricRule, Integer> getter,
            String doc,
            RuleKey.Setting setting) {
        return new RuleKey<>(
                name,
                (v, w, k) -> intIn(v, w, k, min, max),
                ObjectNode::put,
                getter,
                defaultValue,
                min + " to " + max,
                doc,
                setting);
    }

    private static RuleKey<Double> doubleKey(
            String name, double min, double max, Double defaultValue, Function<MetricRule, Double> getter, String doc) {
        return doubleKey(name, min, max, defaultValue, getter, doc, null);
    }

    private static RuleKey<Double> doubleKey(
            String name,
            double min,
            double max,
            Function<MetricRule, Double> getter,
            String doc,
            String setting,
            double defaultValue) {
        ConfigDef.Validator validator =
                max == Double.MAX_VALUE ? ConfigDef.Range.atLeast(min) : ConfigDef.Range.between(min, max);
        return doubleKey(
                name, min, max, null, getter, doc, setting(setting, ConfigDef.Type.DOUBLE, defaultValue, validator));
    }

    private static RuleKey<Double> doubleKey(
            String name,
            double min,
            double max,
            Double defaultValue,
            Function<MetricRule, Double> getter,
            String doc,
            RuleKey.Setting setting) {
        return new RuleKey<>(
                name,
                (v, w, k) -> doubleIn(v, w, k, min, max),
                ObjectNode::put,
                getter,
                defaultValue,
                range(min, max),
                doc,
                setting);
    }

    private static <E extends Enum<E>> RuleKey<E> enumKey(
            String name, Class<E> type, Function<MetricRule, E> getter, E defaultValue, String doc) {
        return enumKey(name, type, getter, defaultValue, doc, null);
    }

    /** An enum key whose default is the setting {@code setting}, written in lower case like the key's values. */
    private static <E extends Enum<E>> RuleKey<E> enumKey(
            String name, Class<E> type, Function<MetricRule, E> getter, String doc, String setting, E defaultValue) {
        return enumKey(
                name,
                type,
                getter,
                null,
                doc,
                setting(
                        setting,
                        ConfigDef.Type.STRING,
                        defaultValue.name().toLowerCase(Locale.ROOT),
                        ConfigDef.ValidString.in(names(type).split(", ")),
                        v -> Enum.valueOf(type, String.valueOf(v).trim().toUpperCase(Locale.ROOT))));
    }

    private static <E extends Enum<E>> RuleKey<E> enumKey(
            String name,
            Class<E> type,
            Function<MetricRule, E> getter,
            E defaultValue,
            String doc,
            RuleKey.Setting setting) {
        return new RuleKey<>(
                name,
                (v, w, k) -> enumValue(type, v, w, k),
                (n, k, e) -> n.put(k, e.name().toLowerCase(Locale.ROOT)),
                getter,
                defaultValue,
                names(type),
                doc,
                setting);
    }

    private static String range(double min, double max) {
        return max == Double.MAX_VALUE ? "at least " + fmt(min) : fmt(min) + " to " + fmt(max);
    }

    private static String fmt(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    static <E extends Enum<E>> String names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
    }

    // -- readers and writers ------------------------------------------------------------------------------------------

    static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode node, String where, String key) {
        String value = node.asText("").trim().toUpperCase(Locale.ROOT);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' must be one of [" + names(type) + "], not '" + node.asText("") + "'");
        }
    }

    private static String text(JsonNode v, String where, String key) {
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a non-empty string");
        }
        return v.asText().trim();
    }

    private static String severity(JsonNode v, String where, String key) {
        String severity = text(v, where, key).toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException(
                    where + ": 'severity' must be one of " + SEVERITIES + ", not '" + severity + "'");
        }
        return severity;
    }

    static int intIn(JsonNode v, String where, String key, int min, int max) {
        if (!v.canConvertToInt()
                || !v.isIntegralNumber() && !(v.isTextual() && v.asText().matches("-?\\d+"))) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' must be a whole number between " + min + " and " + max);
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' is " + i + "; it must be between " + min + " and " + max);
        }
        return i;
    }

    static double doubleIn(JsonNode v, String where, String key, double min, double max) {
        if (!v.isNumber() && !(v.isTextual() && v.asText().matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?"))) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' must be a number between " + min + " and " + max);
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' is " + d + "; it must be between " + min + " and " + max);
        }
        return d;
    }

    /** A duration as ISO-8601 ({@code PT1H}) or a number of minutes; 0 turns the feature off. */
    private static long duration(JsonNode v, String where, String key) {
        try {
            long millis = v.isNumber()
                    ? Duration.ofMinutes(v.asLong()).toMillis()
                    : Duration.parse(v.asText()).toMillis();
            if (millis < 0) {
                throw new IllegalArgumentException("negative");
            }
            return millis;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": '" + key
                    + "' must be an ISO-8601 duration such as PT1H, or minutes; not '" + v.asText() + "'");
        }
    }

    private static Set<DetectorKind> detectors(JsonNode d, String where, String key) {
        if (!d.isArray()) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' must be a list of " + names(DetectorKind.class) + " (may be empty)");
        }
        Set<DetectorKind> detectors = EnumSet.noneOf(DetectorKind.class);
        for (JsonNode k : d) {
            detectors.add(enumValue(DetectorKind.class, k, where, key));
        }
        return detectors;
    }

    private static void writeDetectors(ObjectNode n, String key, Set<DetectorKind> detectors) {
        ArrayNode list = n.putArray(key);
        detectors.forEach(d -> list.add(d.name().toLowerCase(Locale.ROOT)));
    }

    /** Threshold rules; one without its own {@code direction} gets null here and the metric's direction from {@link RuleSet}. */
    private static List<ThresholdRule> thresholds(JsonNode t, String where, String key) {
        List<ThresholdRule> thresholds = new ArrayList<>();
        if (t.isMissingNode() || t.isNull()) {
            return thresholds;
        }
        if (!t.isArray()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a list");
        }
        for (int i = 0; i < t.size(); i++) {
            thresholds.add(threshold(t.get(i), where + ", thresholds[" + i + "]"));
        }
        return List.copyOf(thresholds);
    }

    private static ThresholdRule threshold(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + ": a threshold must be a mapping");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!THRESHOLD_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        where + ": unknown key '" + key + "'; known keys are " + new TreeSet<>(THRESHOLD_KEYS));
            }
        }
        if (!n.path("name").isTextual() || n.get("name").asText().isBlank()) {
            throw new IllegalArgumentException(where + ": a threshold needs a 'name' (it names the alert)");
        }
        Double above = optionalDouble(n, "above", where);
        Double below = optionalDouble(n, "below", where);
        Double change = optionalDouble(n, "changePercent", where);
        if (above == null && below == null && change == null) {
            throw new IllegalArgumentException(where + ": set at least one of 'above', 'below', 'changePercent'");
        }
        if (change != null && change <= 0) {
            throw new IllegalArgumentException(where + ": 'changePercent' must be positive");
        }
        if (above != null && below != null && below >= above) {
            throw new IllegalArgumentException(
                    where + ": 'below' (" + below + ") must be lower than 'above' (" + above + ")");
        }
        Direction direction =
                n.has("direction") ? enumValue(Direction.class, n.get("direction"), where, "direction") : null;
        int forWindows = n.has("forWindows") ? intIn(n.get("forWindows"), where, "forWindows", 1, 10_000) : 1;
        double minVolume =
                n.has("minVolume") ? doubleIn(n.get("minVolume"), where, "minVolume", 0, Double.MAX_VALUE) : 0;
        String severity = n.path("severity").asText("warning").toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(severity) || severity.equals("auto")) {
            throw new IllegalArgumentException(
                    where + ": 'severity' must be info, warning or critical, not '" + severity + "'");
        }
        return new ThresholdRule(
                n.get("name").asText(), above, below, change, direction, forWindows, minVolume, severity);
    }

    private static Double optionalDouble(JsonNode n, String key, String where) {
        if (!n.hasNonNull(key)) {
            return null;
        }
        if (!n.get(key).isNumber()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a number");
        }
        return n.get(key).asDouble();
    }

    private static void writeThresholds(ObjectNode n, String key, List<ThresholdRule> rules) {
        ArrayNode thresholds = n.putArray(key);
        for (ThresholdRule t : rules) {
            ObjectNode tn = thresholds.addObject();
            tn.put("name", t.name());
            if (t.above() != null) {
                tn.put("above", t.above());
            }
            if (t.below() != null) {
                tn.put("below", t.below());
            }
            if (t.changePercent() != null) {
                tn.put("changePercent", t.changePercent());
            }
            if (t.direction() != null) {
                tn.put("direction", t.direction().name().toLowerCase(Locale.ROOT));
            }
            tn.put("forWindows", t.forWindows());
            tn.put("minVolume", t.minVolume());
            tn.put("severity", t.severity());
        }
    }
}
