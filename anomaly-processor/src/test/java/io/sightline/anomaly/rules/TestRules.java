package io.sightline.anomaly.rules;

import io.sightline.anomaly.AnomalyConfig;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Rules for tests: the default settings with some rule keys set, as a rules file's {@code defaults} would. */
public final class TestRules {

    private TestRules() {}

    /** The rule every metric gets with {@code keys} (rule key, YAML value) under {@code defaults}. */
    public static MetricRule defaults(Map<String, String> keys) {
        String yaml = Stream.concat(
                        Stream.of("defaults:"),
                        keys.entrySet().stream().map(e -> "  " + e.getKey() + ": " + e.getValue()))
                .collect(Collectors.joining("\n", "", "\n"));
        return RuleSet.parse(new AnomalyConfig(Map.of()).ruleBase(), yaml, "test rules")
                .defaults();
    }
}
