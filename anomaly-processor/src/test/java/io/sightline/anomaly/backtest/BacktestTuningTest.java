package io.sightline.anomaly.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.detection.SyntheticSeries;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.anomaly.rules.TestRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Runs the default rule, at several sensitivities and seasonalities, over synthetic
 * series with known anomalies and writes the table published in
 * docs/anomaly-detection.md to target/anomaly-tuning.md. Four weeks of five-minute
 * windows, level 100, noise sigma 5; anomalies in the last two weeks.
 */
class BacktestTuningTest {

    static final long WINDOW = 5 * 60_000L;
    static final int DAY = 288;
    static final int WINDOWS = 28 * DAY;
    static final int[] AT = {
        15 * DAY + 40, 17 * DAY + 150, 19 * DAY + 100, 22 * DAY + 200, 25 * DAY + 60, 26 * DAY + 250
    };

    static Map<String, SyntheticSeries> scenarios() {
        Map<String, SyntheticSeries> s = new LinkedHashMap<>();
        s.put(
                "clean daily+weekly (no anomalies)",
                base(11).daily(50).weekly(30).noise(5).build());
        s.put("flat, spikes +40", with(base(1).noise(5), b -> spikes(b, 40)));
        s.put("daily, spikes +40", with(base(2).daily(50).noise(5), b -> spikes(b, 40)));
        s.put("daily, spikes -40", with(base(3).daily(50).noise(5), b -> spikes(b, -40)));
        s.put("daily+weekly, spikes +40", with(base(4).daily(50).weekly(30).noise(5), b -> spikes(b, 40)));
        s.put("daily, level shifts +/-25 for 6 h", with(base(5).daily(50).noise(5), b -> {
            for (int i = 0; i < AT.length; i++) {
                b.levelShift(AT[i], 72, i % 2 == 0 ? 25 : -25);
            }
            return b;
        }));
        s.put("daily, drops to zero for 30 min", with(base(6).daily(50).noise(5), b -> {
            for (int at : AT) {
                b.dropToZero(at, 6);
            }
            return b;
        }));
        s.put("daily + trend 2/day, spikes +40", with(base(7).daily(50).trend(2).noise(5), b -> spikes(b, 40)));
        return s;
    }

    private static SyntheticSeries.Builder base(long seed) {
        return SyntheticSeries.builder(WINDOWS, WINDOW, seed).level(100);
    }

    private static SyntheticSeries with(SyntheticSeries.Builder b, UnaryOperator<SyntheticSeries.Builder> anomalies) {
        return anomalies.apply(b).build();
    }

    private static SyntheticSeries.Builder spikes(SyntheticSeries.Builder b, double height) {
        for (int at : AT) {
            b.spike(at, height);
        }
        return b;
    }

    static List<Row> rows(SyntheticSeries s) {
        List<Row> rows = new ArrayList<>();
        double[] v = s.values();
        boolean[] l = s.labels();
        for (int i = 0; i < v.length; i++) {
            rows.add(new Row(i * WINDOW, v[i], l[i]));
        }
        return rows;
    }

    static MetricRule rule(String seasonality, double sensitivity) {
        return TestRules.defaults(Map.of(
                "seasonality",
                seasonality,
                "sensitivity",
                String.valueOf(sensitivity),
                "resolveSensitivity",
                String.valueOf(sensitivity / 2)));
    }

    @Test
    void shouldDetectEveryInjectedAnomalyWithTheDefaultsAndWriteTheTuningTable() throws Exception {
        double[] sensitivities = {4, 5, 6, 7};
        String[] seasonalities = {"none", "daily", "weekly", "auto"};
        StringBuilder table = new StringBuilder("| series | seasonality |");
        for (double s : sensitivities) {
            table.append(String.format(Locale.ROOT, " sensitivity %.0f |", s));
        }
        table.append("\n|---|---|").append("---|".repeat(sensitivities.length)).append('\n');
        Map<String, BacktestRun.Metrics> atDefaults = new LinkedHashMap<>();
        for (Map.Entry<String, SyntheticSeries> scenario : scenarios().entrySet()) {
            List<Row> rows = rows(scenario.getValue());
            for (String seasonality : seasonalities) {
                table.append("| ")
                        .append(scenario.getKey())
                        .append(" | ")
                        .append(seasonality)
                        .append(" |");
                for (double sensitivity : sensitivities) {
                    BacktestRun.Metrics m = BacktestRun.run(rule(seasonality, sensitivity), rows, WINDOW, 3)
                            .metrics();
                    table.append(' ').append(cell(m)).append(" |");
                    if (sensitivity == 5 && seasonality.equals(matching(scenario.getKey()))) {
                        atDefaults.put(scenario.getKey(), m);
                    }
                }
                table.append('\n');
            }
        }
        Path out = Path.of("target", "anomaly-tuning.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
        System.out.println(table);

        // At the default sensitivity with the seasonality that matches the series: the published claims.
        assertThat(atDefaults.get("clean daily+weekly (no anomalies)").firings())
                .isLessThanOrEqualTo(2);
        atDefaults.forEach((name, m) -> {
            if (m.events() > 0) {
                assertThat(m.recall()).as("recall on %s", name).isGreaterThanOrEqualTo(5.0 / 6);
                assertThat(m.precision()).as("precision on %s", name).isGreaterThanOrEqualTo(0.75);
                assertThat(m.meanDelayRows()).as("delay on %s", name).isLessThanOrEqualTo(1.0);
            }
        });
    }

    private static String matching(String scenario) {
        if (scenario.startsWith("flat")) {
            return "none";
        }
        return scenario.contains("weekly") ? "weekly" : "daily";
    }

    private static String cell(BacktestRun.Metrics m) {
        if (m.events() == 0) {
            return m.firings() + " false alerts";
        }
        return String.format(Locale.ROOT, "P %.2f R %.2f d %.1f", m.precision(), m.recall(), m.meanDelayRows());
    }
}
