package io.sightline.anomaly.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sightline.common.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
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
        return parse(base, (JsonNode) null, "the detector.* settings", builtIns);
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
                throw new IllegalArgumentException(
                        source + ": unknown top-level key '" + key + "' (expected 'defaults' and 'metrics')");
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
                if (!entry.isObject()
                        || !entry.path("match").isTextual()
                        || entry.path("match").asText().isBlank()) {
                    throw new IllegalArgumentException(
                            where + ": every entry needs a 'match' (a metric name, '*' as wildcard)");
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
        return byMetric.computeIfAbsent(
                metric,
                m -> rules.stream().filter(r -> r.matches(m)).findFirst().orElse(fallback));
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

    /** A rule from a node with every key set (defaults merged under the entry): the keys' own checks, then the checks across keys. */
    private static MetricRule parse(ObjectNode n, String where) {
        RuleKeys.checkKnown(n, where);
        Seasonality seasonality = RuleKeys.SEASONALITY.read(n, where);
        int historyWindows = RuleKeys.HISTORY_WINDOWS.read(n, where);
        int minHistory = RuleKeys.MIN_HISTORY.read(n, where);
        if (minHistory > historyWindows) {
            throw new IllegalArgumentException(where + ": " + label(RuleKeys.MIN_HISTORY, minHistory)
                    + " must not exceed " + label(RuleKeys.HISTORY_WINDOWS, historyWindows));
        }
        double sensitivity = RuleKeys.SENSITIVITY.read(n, where);
        double resolveSensitivity = RuleKeys.RESOLVE_SENSITIVITY.read(n, where);
        if (resolveSensitivity >= sensitivity) {
            throw new IllegalArgumentException(where + ": " + label(RuleKeys.RESOLVE_SENSITIVITY, resolveSensitivity)
                    + " must be lower than " + label(RuleKeys.SENSITIVITY, sensitivity) + ", or alerts flap");
        }
        int seasonalPeriods = RuleKeys.SEASONAL_PERIODS.read(n, where);
        int minPeriods = RuleKeys.MIN_PERIODS.read(n, where);
        if (minPeriods > seasonalPeriods) {
            throw new IllegalArgumentException(where + ": 'minPeriods' (" + minPeriods
                    + ") must not exceed 'seasonalPeriods' (" + seasonalPeriods + ")");
        }
        Integer slots = RuleKeys.SLOTS_PER_PERIOD.read(n, where);
        Direction direction = RuleKeys.DIRECTION.read(n, where);
        List<ThresholdRule> thresholds = new ArrayList<>();
        for (ThresholdRule t : RuleKeys.THRESHOLDS.read(n, where)) {
            // A threshold without its own direction judges changes in the metric's.
            thresholds.add(
                    t.direction() != null
                            ? t
                            : new ThresholdRule(
                                    t.name(),
                                    t.above(),
                                    t.below(),
                                    t.changePercent(),
                                    direction,
                                    t.forWindows(),
                                    t.minVolume(),
                                    t.severity()));
        }
        String name = RuleKeys.NAME.read(n, where);
        Set<String> names = new HashSet<>();
        names.add(name);
        for (ThresholdRule r : thresholds) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException(
                        where + ": rule name '" + r.name() + "' is used twice; alerts need distinct names");
            }
        }
        return new MetricRule(
                name,
                RuleKeys.MATCH.read(n, where),
                RuleKeys.DETECTORS.read(n, where),
                seasonality,
                slots != null ? slots : seasonality.defaultSlots(),
                seasonalPeriods,
                minPeriods,
                RuleKeys.BLEND.read(n, where),
                historyWindows,
                minHistory,
                sensitivity,
                resolveSensitivity,
                RuleKeys.LEVEL_SHIFT_ALPHA.read(n, where),
                direction,
                RuleKeys.MIN_VOLUME.read(n, where),
                RuleKeys.FIRING_WINDOWS.read(n, where),
                RuleKeys.RESOLVE_WINDOWS.read(n, where),
                RuleKeys.RENOTIFY.read(n, where),
                RuleKeys.SEVERITY.read(n, where),
                RuleKeys.RUNBOOK_URL.read(n, where),
                List.copyOf(thresholds),
                RuleKeys.GAPS.read(n, where),
                RuleKeys.COOLDOWN.read(n, where),
                RuleKeys.LIKELIHOOD_TAIL.read(n, where),
                RuleKeys.OUTLIER_SIGMA.read(n, where));
    }

    /** A key and its value as errors name them, with the setting that gives its default: a value may come from there. */
    private static String label(RuleKey<?> key, Object value) {
        return "'" + key.name() + "' (" + value
                + (key.setting() == null
                        ? ""
                        : ", default " + Settings.envName(key.setting().name())) + ")";
    }

    /**
     * The rule every metric gets before the rules file: each key's default, and the
     * {@code detector.*} settings in {@code settings} (parsed values by setting name; a
     * setting not there takes its declared default).
     */
    public static ObjectNode base(Map<String, ?> settings) {
        return RuleKeys.defaults(
                YAML.createObjectNode(),
                name -> settings.containsKey(name)
                        ? settings.get(name)
                        : RuleKeys.ALL.stream()
                                .filter(k -> k.setting() != null
                                        && k.setting().name().equals(name))
                                .findFirst()
                                .orElseThrow()
                                .setting()
                                .defaultValue());
    }

    /** A rule back as a node with every key set: the base for overriding some keys of it. */
    public static ObjectNode toNode(MetricRule r) {
        return RuleKeys.toNode(r, YAML.createObjectNode());
    }
}
