package io.sightline.anomaly.backtest;

import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.rules.MetricRule;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that choose a rule for an offline run (backtest, evaluate): a rules file, a metric, and key overrides. */
public final class RuleOptions {

    @Option(
            names = "--rules",
            description =
                    "Rules file (as SIGHTLINE_DETECTOR_RULES_FILE); default: the detector.* settings from the environment.")
    Path rules;

    @Option(
            names = "--metric",
            defaultValue = "backtest",
            description = "Metric name that selects the rule (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(
            names = "--set",
            description = "Override a rule key for this run, e.g. --set sensitivity=5 --set seasonality=daily.")
    Map<String, String> overrides = new HashMap<>();

    /**
     * The rule, as the processor would build it from the environment and the rules file,
     * with the overrides applied through the same validation.
     *
     * @param defaults keys set unless an override names them
     */
    public MetricRule rule(Map<String, String> defaults) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (rules != null) {
            env.put("SIGHTLINE_DETECTOR_RULES_FILE", rules.toString());
        }
        Map<String, String> keys = new HashMap<>(defaults);
        keys.putAll(overrides);
        return Backtest.withOverrides(new AnomalyConfig(env).rules(), metric, keys);
    }
}
