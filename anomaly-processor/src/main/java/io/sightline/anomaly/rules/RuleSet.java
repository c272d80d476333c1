package io.sightline.anomaly.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The detection rules of every metric: a {@code defaults} block and a list of
 * {@code metrics} entries, each applying to the metrics its {@code match} names (first
 * match wins, {@code *} is a wildcard). Read from YAML (or JSON, which is YAML) and
 * validated whole at start-up: an error names the file, the entry and the key to fix.
 */
public final class RuleSet {

    static final Set<String> RULE_KEYS = Set.of("name", "match", "detectors", "seasonality", "slotsPerPeriod", "seasonalPeriods",
            "minPeriods", "blend", "historyWindows", "minHistory", "sensitivity", "resolveSensitivity", "levelShiftAlpha",
            "direction", "minVolume", "firingWindows", "resolveWindows", "renotify", "severity", "runbookUrl", "thresholds", "gaps", "cooldown",
            "likelihoodTail", "outlierSigma");
    static final Set<String> THRESHOLD_KEYS = Set.of("name", "above", "below", "changePercent", "direction", "forWindows",
            "minVolume", "severity");
    private static final Set<String> SEVERITIES = Set.of("auto", "info", "warning", "critical");
    private static final YAMLMapper YAML = new YAMLMapper();

    private final MetricRule fallback;
    private final List<MetricRule> rules;
    private final Map<String, MetricRule> byMetric = new ConcurrentHashMap<>();

    private RuleSet(MetricRule fallback, List<MetricRule> rules) {
        this.fallback = fallback;
        this.rules = List.copyOf(rules);
    }

    /** Rules from the service settings alone: every metric gets {@code base}. */
    public static RuleSet of(ObjectNode base) {
        return of(base, List.of());
    }

    /** Rules from the service settings and the built-in entries ({@link DataQualityRules}). */
    public static RuleSet of(ObjectNode base, List<ObjectNode> builtIns) {
        return parse(base, (JsonNode) null, "settings", builtIns);
    }

    /** Rules from {@code file} on top of {@code base} (the service settings) and the built-in entries. */
    public static RuleSet load(ObjectNode base, Path file, List<ObjectNode> builtIns) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("rules file " + file + " cannot be read: " + e.getMessage(), e);
        }
        return parse(base, root, "rules file " + file, builtIns);
    }

    /** Rules from YAML text (the backtest and the tests use it). */
    public static RuleSet parse(ObjectNode base, String yaml, String source) {
        return parse(base, yaml, source, List.of());
    }

    /** Rules from YAML text on top of the built-in entries. */
    public static RuleSet parse(ObjectNode base, String yaml, String source, List<ObjectNode> builtIns) {
        try {
            return parse(base, YAML.readTree(yaml), source, builtIns);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    /**
     * Built-in entries (the data-quality rules) come first, so a wildcard entry of the
     * file does not silence them; an entry of the file whose {@code match} is exactly a
     * built-in's metric replaces that built-in.
     */
    private static RuleSet parse(ObjectNode base, JsonNode root, String source, List<ObjectNode> builtIns) {
        RuleSet fromFile = parse(base, root, source);
        ObjectNode defaults = base.deepCopy();
        if (root != null && root.path("defaults").isObject()) {
            defaults.setAll((ObjectNode) root.get("defaults"));
        }
        List<MetricRule> rules = new ArrayList<>();
        for (ObjectNode builtIn : builtIns) {
            String match = builtIn.path("match").asText();
            if (fromFile.rules.stream().noneMatch(r -> r.match().equals(match))) {
                ObjectNode merged = defaults.deepCopy();
                merged.setAll(builtIn);
                rules.add(parse(merged, "built-in rule (match '" + match + "')"));
            }
        }
        rules.addAll(fromFile.rules);
        return new RuleSet(fromFile.fallback, rules);
    }

    private static RuleSet parse(ObjectNode base, JsonNode root, String source) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new RuleSet(parse(base, source), List.of());
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a mapping with 'defaults' and 'metrics'");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("defaults") && !key.equals("metrics")) {
                throw new IllegalArgumentException(source + ": unknown top-level key '" + key + "' (expected 'defaults' and 'metrics')");
            }
        }
        ObjectNode defaults = base.deepCopy();
        if (root.has("defaults")) {
            JsonNode d = root.get("defaults");
            if (!d.isObject()) {
                throw new IllegalArgumentException(source + ": 'defaults' must be a mapping");
            }
            if (d.has("match")) {
                throw new IllegalArgumentException(source + ": 'defaults' cannot have 'match'");
            }
            defaults.setAll((ObjectNode) d);
        }
        MetricRule fallback = parse(defaults, source + ", defaults");
        List<MetricRule> rules = new ArrayList<>();
        JsonNode metrics = root.path("metrics");
        if (!metrics.isMissingNode()) {
            if (!metrics.isArray()) {
                throw new IllegalArgumentException(source + ": 'metrics' must be a list");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < metrics.size(); i++) {
                JsonNode entry = metrics.get(i);
                String where = source + ", metrics[" + i + "]";
                if (!entry.isObject() || !entry.path("match").isTextual() || entry.path("match").asText().isBlank()) {
                    throw new IllegalArgumentException(where + ": every entry needs a 'match' (a metric name, '*' as wildcard)");
                }
                where += " (match '" + entry.get("match").asText() + "')";
                if (!seen.add(entry.get("match").asText())) {
                    throw new IllegalArgumentException(where + ": the same match appears twice; merge the entries");
                }
                ObjectNode merged = defaults.deepCopy();
                merged.setAll((ObjectNode) entry);
                rules.add(parse(merged, where));
            }
        }
        return new RuleSet(fallback, rules);
    }

    /** The rule for {@code metric}: the first entry that matches it, else the defaults. */
    public MetricRule forMetric(String metric) {
        return byMetric.computeIfAbsent(metric, m -> rules.stream().filter(r -> r.matches(m)).findFirst().orElse(fallback));
    }

    public List<MetricRule> rules() {
        return rules;
    }

    public MetricRule defaults() {
        return fallback;
    }

    static boolean globMatches(String glob, String metric) {
        return glob.equals("*") || Pattern.matches(toRegex(glob), metric);
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        String[] parts = glob.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return regex.toString();
    }

    private static MetricRule parse(ObjectNode n, String where) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!RULE_KEYS.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "'; known keys are " + new java.util.TreeSet<>(RULE_KEYS));
            }
        }
        Set<DetectorKind> detectors = EnumSet.noneOf(DetectorKind.class);
        JsonNode d = n.path("detectors");
        if (!d.isArray()) {
            throw new IllegalArgumentException(where + ": 'detectors' must be a list of seasonal, level_shift, likelihood (may be empty)");
        }
        for (JsonNode k : d) {
            detectors.add(enumValue(DetectorKind.class, k, where, "detectors"));
        }
        Seasonality seasonality = enumValue(Seasonality.class, n.path("seasonality"), where, "seasonality");
        int historyWindows = intIn(n, "historyWindows", 3, 10_000, where);
        int minHistory = intIn(n, "minHistory", 2, 10_000, where);
        if (minHistory > historyWindows) {
            throw new IllegalArgumentException(where + ": 'minHistory' (" + minHistory + ") must not exceed 'historyWindows' (" + historyWindows + ")");
        }
        double sensitivity = doubleIn(n, "sensitivity", 0.5, 1000, where);
        double resolveSensitivity = doubleIn(n, "resolveSensitivity", 0, 1000, where);
        if (resolveSensitivity >= sensitivity) {
            throw new IllegalArgumentException(where + ": 'resolveSensitivity' (" + resolveSensitivity
                    + ") must be lower than 'sensitivity' (" + sensitivity + "), or alerts flap");
        }
        int seasonalPeriods = intIn(n, "seasonalPeriods", 1, 52, where);
        int minPeriods = intIn(n, "minPeriods", 1, 52, where);
        if (minPeriods > seasonalPeriods) {
            throw new IllegalArgumentException(where + ": 'minPeriods' (" + minPeriods + ") must not exceed 'seasonalPeriods' (" + seasonalPeriods + ")");
        }
        int slots = n.hasNonNull("slotsPerPeriod") ? intIn(n, "slotsPerPeriod", 1, 10_080, where) : seasonality.defaultSlots();
        String severity = text(n, "severity", where).toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException(where + ": 'severity' must be one of " + SEVERITIES + ", not '" + severity + "'");
        }
        Direction direction = enumValue(Direction.class, n.path("direction"), where, "direction");
        double minVolume = doubleIn(n, "minVolume", 0, Double.MAX_VALUE, where);
        List<ThresholdRule> thresholds = new ArrayList<>();
        JsonNode t = n.path("thresholds");
        if (!t.isMissingNode() && !t.isNull()) {
            if (!t.isArray()) {
                throw new IllegalArgumentException(where + ": 'thresholds' must be a list");
            }
            for (int i = 0; i < t.size(); i++) {
                thresholds.add(threshold(t.get(i), where + ", thresholds[" + i + "]", direction));
            }
        }
        Set<String> names = new HashSet<>();
        String name = text(n, "name", where);
        names.add(name);
        for (ThresholdRule r : thresholds) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException(where + ": rule name '" + r.name() + "' is used twice; alerts need distinct names");
            }
        }
        return new MetricRule(name, n.path("match").asText("*"), detectors, seasonality, slots, seasonalPeriods, minPeriods,
                doubleIn(n, "blend", 0, 1, where), historyWindows, minHistory, sensitivity, resolveSensitivity,
                doubleIn(n, "levelShiftAlpha", 0.01, 1, where), direction, minVolume,
                intIn(n, "firingWindows", 1, 1000, where), intIn(n, "resolveWindows", 1, 1000, where),
                duration(n, "renotify", where), severity, n.path("runbookUrl").asText(""), List.copyOf(thresholds),
                enumValue(Gaps.class, n.path("gaps"), where, "gaps"), intIn(n, "cooldown", 0, 100_000, where),
                doubleIn(n, "likelihoodTail", 1e-9, 0.1, where), doubleIn(n, "outlierSigma", 0, 100, where));
    }

    private static ThresholdRule threshold(JsonNode n, String where, Direction metricDirection) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + ": a threshold must be a mapping");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!THRESHOLD_KEYS.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "'; known keys are " + new java.util.TreeSet<>(THRESHOLD_KEYS));
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
            throw new IllegalArgumentException(where + ": 'below' (" + below + ") must be lower than 'above' (" + above + ")");
        }
        Direction direction = n.has("direction") ? enumValue(Direction.class, n.get("direction"), where, "direction") : metricDirection;
        int forWindows = n.has("forWindows") ? intIn(n, "forWindows", 1, 10_000, where) : 1;
        double minVolume = n.has("minVolume") ? doubleIn(n, "minVolume", 0, Double.MAX_VALUE, where) : 0;
        String severity = n.path("severity").asText("warning").toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(severity) || severity.equals("auto")) {
            throw new IllegalArgumentException(where + ": 'severity' must be info, warning or critical, not '" + severity + "'");
        }
        return new ThresholdRule(n.get("name").asText(), above, below, change, direction, forWindows, minVolume, severity);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode node, String where, String key) {
        String value = node.asText("").trim().toUpperCase(Locale.ROOT);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                allowed.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException(where + ": '" + key + "' must be one of " + allowed + ", not '" + node.asText("") + "'");
        }
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n.path(key);
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a non-empty string");
        }
        return v.asText().trim();
    }

    private static int intIn(JsonNode n, String key, int min, int max, String where) {
        JsonNode v = n.path(key);
        if (!v.canConvertToInt() || !v.isIntegralNumber() && !(v.isTextual() && v.asText().matches("-?\\d+"))) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a whole number between " + min + " and " + max);
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw new IllegalArgumentException(where + ": '" + key + "' is " + i + "; it must be between " + min + " and " + max);
        }
        return i;
    }

    private static double doubleIn(JsonNode n, String key, double min, double max, String where) {
        JsonNode v = n.path(key);
        if (!v.isNumber() && !(v.isTextual() && v.asText().matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?"))) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a number between " + min + " and " + max);
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw new IllegalArgumentException(where + ": '" + key + "' is " + d + "; it must be between " + min + " and " + max);
        }
        return d;
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

    /** A duration as ISO-8601 ({@code PT1H}) or a number of minutes; 0 turns the feature off. */
    private static long duration(JsonNode n, String key, String where) {
        JsonNode v = n.path(key);
        try {
            long millis = v.isNumber() ? Duration.ofMinutes(v.asLong()).toMillis() : Duration.parse(v.asText()).toMillis();
            if (millis < 0) {
                throw new IllegalArgumentException("negative");
            }
            return millis;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be an ISO-8601 duration such as PT1H, or minutes; not '" + v.asText() + "'");
        }
    }

    /** A base node with every key set, from the service-wide defaults. */
    public static ObjectNode base(double sensitivity, double resolveSensitivity, int historyWindows, int minHistory, double minVolume,
                                  String seasonality, String direction, int firingWindows, int resolveWindows, long renotifyMinutes,
                                  String runbookUrl) {
        ObjectNode n = YAML.createObjectNode();
        n.put("name", "anomaly");
        n.put("match", "*");
        ArrayNode detectors = n.putArray("detectors");
        detectors.add("seasonal").add("level_shift");
        n.put("seasonality", seasonality);
        n.put("seasonalPeriods", 4);
        n.put("minPeriods", 2);
        n.put("blend", 1.0);
        n.put("historyWindows", historyWindows);
        n.put("minHistory", minHistory);
        n.put("sensitivity", sensitivity);
        n.put("resolveSensitivity", resolveSensitivity);
        n.put("levelShiftAlpha", 0.5);
        n.put("direction", direction);
        n.put("minVolume", minVolume);
        n.put("firingWindows", firingWindows);
        n.put("resolveWindows", resolveWindows);
        n.put("renotify", renotifyMinutes);
        n.put("severity", "auto");
        n.put("runbookUrl", runbookUrl);
        n.putArray("thresholds");
        n.put("gaps", "auto");
        n.put("cooldown", 0);
        n.put("likelihoodTail", 1e-4);
        n.put("outlierSigma", 0.0);
        return n;
    }

    /** A rule back as a node with every key set: the base for overriding some keys of it. */
    public static ObjectNode toNode(MetricRule r) {
        ObjectNode n = YAML.createObjectNode();
        n.put("name", r.name());
        n.put("match", r.match());
        ArrayNode detectors = n.putArray("detectors");
        r.detectors().forEach(d -> detectors.add(d.name().toLowerCase(Locale.ROOT)));
        n.put("seasonality", r.seasonality().name().toLowerCase(Locale.ROOT));
        if (r.slotsPerPeriod() != r.seasonality().defaultSlots()) {
            n.put("slotsPerPeriod", r.slotsPerPeriod()); // else it follows the seasonality, if that is overridden
        }
        n.put("seasonalPeriods", r.seasonalPeriods());
        n.put("minPeriods", r.minPeriods());
        n.put("blend", r.blend());
        n.put("historyWindows", r.historyWindows());
        n.put("minHistory", r.minHistory());
        n.put("sensitivity", r.sensitivity());
        n.put("resolveSensitivity", r.resolveSensitivity());
        n.put("levelShiftAlpha", r.levelShiftAlpha());
        n.put("direction", r.direction().name().toLowerCase(Locale.ROOT));
        n.put("minVolume", r.minVolume());
        n.put("firingWindows", r.firingWindows());
        n.put("resolveWindows", r.resolveWindows());
        n.put("renotify", Duration.ofMillis(r.renotifyMillis()).toString());
        n.put("severity", r.severity());
        n.put("runbookUrl", r.runbookUrl());
        n.put("gaps", r.gaps().name().toLowerCase(Locale.ROOT));
        n.put("cooldown", r.cooldownWindows());
        n.put("likelihoodTail", r.likelihoodTail());
        n.put("outlierSigma", r.outlierSigma());
        ArrayNode thresholds = n.putArray("thresholds");
        for (ThresholdRule t : r.thresholds()) {
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
            tn.put("direction", t.direction().name().toLowerCase(Locale.ROOT));
            tn.put("forWindows", t.forWindows());
            tn.put("minVolume", t.minVolume());
            tn.put("severity", t.severity());
        }
        return n;
    }
}
