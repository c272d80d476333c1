package io.sightline.anomaly.alerting;

import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.AlertContributor;
import io.sightline.schemas.avro.CorrelatedSeries;
import io.sightline.schemas.avro.LatestEvaluation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Explains a deviation from the latest evaluations of other series.
 * <p>
 * Drill-down: over the alerting series (its evaluation) and every other series of the
 * same metric recently scored (latest window no older than the one before the alert's),
 * each series' deviation (observed minus expected) in the alert's direction is
 * credited to each of its dimension values; a value's share is its credit over the
 * metric's total. Correlation: recently scored series of other metrics that deviated
 * beyond their resolve sensitivity, strongest first.
 */
public final class Explainer {

    static final int TOP = 3;
    static final double MIN_SHARE = 0.1;

    private Explainer() {}

    public static Explanation explain(
            SeriesKey series,
            long windowStart,
            long windowMillis,
            double observed,
            double expected,
            double score,
            Iterable<Map.Entry<String, LatestEvaluation>> sameMetric,
            Iterable<Map.Entry<String, LatestEvaluation>> all) {
        double sign = score >= 0 ? 1 : -1;
        Map<String, Double> credit = new HashMap<>();
        double total = 0;
        String self = series.toString();
        List<Map.Entry<SeriesKey, Double>> deviations = new ArrayList<>();
        deviations.add(Map.entry(series, observed - expected));
        for (Map.Entry<String, LatestEvaluation> e : sameMetric) {
            LatestEvaluation l = e.getValue();
            if (e.getKey().equals(self) || l.getWindowStart() < windowStart - windowMillis || l.getLearning()) {
                continue;
            }
            SeriesKey other = parse(e.getKey());
            if (other == null || !other.metric().equals(series.metric())) {
                continue;
            }
            deviations.add(Map.entry(other, l.getObserved() - l.getExpected()));
        }
        for (Map.Entry<SeriesKey, Double> d : deviations) {
            SeriesKey other = d.getKey();
            double deviation = sign * d.getValue();
            if (deviation <= 0) {
                continue;
            }
            total += deviation;
            for (Map.Entry<String, String> dim : other.dimensions().entrySet()) {
                credit.merge(dim.getKey() + "\u0000" + dim.getValue(), deviation, Double::sum);
            }
        }
        List<AlertContributor> contributors = new ArrayList<>();
        if (total > 0) {
            double sum = total;
            credit.entrySet().stream()
                    .map(c -> {
                        String[] kv = c.getKey().split("\u0000", 2);
                        return new AlertContributor(kv[0], kv[1], Math.min(1.0, c.getValue() / sum));
                    })
                    .filter(c -> c.getShare() >= MIN_SHARE)
                    .sorted(Comparator.comparingDouble(AlertContributor::getShare)
                            .reversed()
                            .thenComparing(c -> c.getDimension() + "=" + c.getValue()))
                    .limit(TOP)
                    .forEach(contributors::add);
        }

        List<CorrelatedSeries> correlated = new ArrayList<>();
        for (Map.Entry<String, LatestEvaluation> e : all) {
            LatestEvaluation l = e.getValue();
            if (!l.getDeviating() || l.getWindowStart() < windowStart - windowMillis) {
                continue;
            }
            SeriesKey other = parse(e.getKey());
            if (other == null || other.metric().equals(series.metric())) {
                continue;
            }
            correlated.add(new CorrelatedSeries(e.getKey(), l.getScore(), l.getObserved(), l.getExpected()));
        }
        correlated.sort(Comparator.comparingDouble((CorrelatedSeries c) -> -Math.abs(c.getScore()))
                .thenComparing(CorrelatedSeries::getSeries));
        if (correlated.size() > TOP) {
            correlated = new ArrayList<>(correlated.subList(0, TOP));
        }
        return new Explanation(contributors, correlated, text(series, contributors, correlated));
    }

    private static String text(
            SeriesKey series, List<AlertContributor> contributors, List<CorrelatedSeries> correlated) {
        StringBuilder sb = new StringBuilder();
        if (!contributors.isEmpty()) {
            sb.append("Most of the deviation of ").append(series.metric()).append(" comes from ");
            for (int i = 0; i < contributors.size(); i++) {
                AlertContributor c = contributors.get(i);
                sb.append(i == 0 ? "" : ", ")
                        .append(c.getDimension())
                        .append('=')
                        .append(c.getValue())
                        .append(String.format(Locale.ROOT, " (%.0f%%)", 100 * c.getShare()));
            }
            sb.append('.');
        }
        if (!correlated.isEmpty()) {
            sb.append(sb.length() > 0 ? " " : "").append("In the same window: ");
            for (int i = 0; i < correlated.size(); i++) {
                CorrelatedSeries c = correlated.get(i);
                sb.append(i == 0 ? "" : "; ")
                        .append(c.getSeries())
                        .append(c.getScore() >= 0 ? " up" : " down")
                        .append(String.format(
                                Locale.ROOT, " (%.0f observed, %.0f expected)", c.getObserved(), c.getExpected()));
            }
            sb.append('.');
        }
        return sb.toString();
    }

    private static SeriesKey parse(String key) {
        try {
            return SeriesKey.parse(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
