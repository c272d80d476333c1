package io.sightline.anomaly.backtest;

import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Replays a configured rule over a CSV time series, as the stream processor would run
 * it, and prints the alerts it raises; with labels, precision, recall and delay.
 */
@Command(
        name = "backtest",
        mixinStandardHelpOptions = true,
        description =
                "Runs a detection rule over a CSV time series (timestamp,value[,label]) exactly as the anomaly processor would.")
public final class Backtest implements Callable<Integer> {

    @Option(names = "--csv", required = true, description = "Input CSV: timestamp,value[,label] (optional header).")
    Path csv;

    @Mixin
    RuleOptions ruleOptions;

    @Option(
            names = "--window",
            description = "Window size as ISO-8601 (PT1M); default: the smallest gap between timestamps.")
    Duration window;

    @Option(
            names = "--scores",
            description =
                    "Write every row with its anomaly score in [0, 1] to this CSV (timestamp,value,anomaly_score).")
    Path scores;

    @Option(
            names = "--tolerance",
            defaultValue = "3",
            description =
                    "Rows after a labelled event in which a firing still counts as detecting it (default: ${DEFAULT-VALUE}).")
    int tolerance;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Backtest()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        MetricRule rule = ruleOptions.rule(Map.of());
        CsvSeries.Read read = CsvSeries.read(csv);
        if (!read.summary().isEmpty()) {
            System.out.println(csv + ": " + read.summary());
        }
        List<Row> rows = read.rows();
        if (rows.size() < 2) {
            throw new IllegalArgumentException(csv + ": needs at least two rows");
        }
        long windowMillis = window != null ? window.toMillis() : smallestGap(rows);
        BacktestRun.Result result = BacktestRun.run(rule, rows, windowMillis, tolerance);
        System.out.printf(
                Locale.ROOT,
                "rule %s on %d rows of %s windows%n",
                rule.name(),
                rows.size(),
                Duration.ofMillis(windowMillis));
        for (BacktestRun.Detection d : result.detections()) {
            var t = d.transition();
            var e = t.evaluation();
            System.out.printf(
                    Locale.ROOT,
                    "%s %-8s %-12s %-13s observed %.4g expected %.4g range [%.4g, %.4g] score %.2f confidence %.2f%n",
                    Instant.ofEpochMilli(t.windowStart()),
                    t.status(),
                    t.rule(),
                    e.detector(),
                    e.observed(),
                    e.expected(),
                    e.lower(),
                    e.upper(),
                    e.score(),
                    e.confidence());
        }
        BacktestRun.Metrics m = result.metrics();
        if (m != null) {
            System.out.printf(
                    Locale.ROOT,
                    "events %d, detected %d, firings %d (true %d): precision %.3f recall %.3f f1 %.3f, mean delay %.2f windows%n",
                    m.events(),
                    m.detectedEvents(),
                    m.firings(),
                    m.truePositiveFirings(),
                    m.precision(),
                    m.recall(),
                    m.f1(),
                    m.meanDelayRows());
        }
        if (scores != null) {
            CsvSeries.writeScores(scores, rows, result.scores());
        }
        return 0;
    }

    /** The rule for {@code metric}, with {@code key=value} overrides applied through the same validation as the rules file. */
    public static MetricRule withOverrides(RuleSet ruleSet, String metric, Map<String, String> overrides) {
        MetricRule rule = ruleSet.forMetric(metric);
        if (overrides.isEmpty()) {
            return rule;
        }
        StringBuilder yaml =
                new StringBuilder("metrics:\n  - match: \"").append(metric).append("\"\n");
        overrides.forEach(
                (k, v) -> yaml.append("    ").append(k).append(": ").append(v).append('\n'));
        return RuleSet.parse(RuleSet.toNode(rule), yaml.toString(), "--set").forMetric(metric);
    }

    /** The smallest step between consecutive rows: the window size a series of final window values was written with. */
    public static long smallestGap(List<Row> rows) {
        long gap = Long.MAX_VALUE;
        for (int i = 1; i < rows.size(); i++) {
            gap = Math.min(gap, rows.get(i).timestamp() - rows.get(i - 1).timestamp());
        }
        return gap;
    }
}
