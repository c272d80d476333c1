package io.sightline.anomaly.rules;

import java.util.List;
import java.util.Set;

/**
 * Everything the detector needs to know about one metric: which detectors run, how
 * sensitive they are, and how its alerts behave. Built by {@link RuleSet} from the
 * service settings, the rules file's {@code defaults} and the first matching entry.
 *
 * @param name          rule name of the statistical alert (part of its fingerprint)
 * @param match         metric name, {@code *} as a wildcard
 * @param sensitivity   score (robust sigma units) at which an alert fires
 * @param resolveSensitivity score below which a firing alert may resolve (hysteresis)
 * @param firingWindows consecutive windows the firing condition must hold (a spike in the live window counts)
 * @param resolveWindows consecutive complete windows the resolve condition must hold
 * @param renotifyMillis re-send a firing alert this often while it lasts; 0 never
 * @param gaps          what a window without updates is: zero (counts) or unknown (gauges, ratios)
 * @param cooldownWindows windows after a resolution during which the same alert does not fire again
 * @param likelihoodTail the likelihood detector fires when the recent scores are this improbable for the series
 * @param outlierSigma  the point and level-shift detectors fire only on windows this many standard deviations above
 *                      the series' usual window score (0 off)
 */
public record MetricRule(
        String name,
        String match,
        Set<DetectorKind> detectors,
        Seasonality seasonality,
        int slotsPerPeriod,
        int seasonalPeriods,
        int minPeriods,
        double blend,
        int historyWindows,
        int minHistory,
        double sensitivity,
        double resolveSensitivity,
        double levelShiftAlpha,
        Direction direction,
        double minVolume,
        int firingWindows,
        int resolveWindows,
        long renotifyMillis,
        String severity,
        String runbookUrl,
        List<ThresholdRule> thresholds,
        Gaps gaps,
        int cooldownWindows,
        double likelihoodTail,
        double outlierSigma) {

    public boolean matches(String metric) {
        return RuleSet.globMatches(match, metric);
    }
}
