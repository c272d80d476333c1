package io.sightline.serving.query;

import io.sightline.common.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Funnels: a funnel metric's windows carry the users who reached each step
 * ({@code step_1}, {@code step_2}, ...); over a time range the steps are summed, and
 * conversion and drop-off follow from consecutive steps.
 */
public final class FunnelQueries {

    /** One step: users who reached it, and the share of the previous step's users who did. */
    public record Step(int step, long users, Double conversionFromPrevious, Double dropOff) {}

    /** The funnel of one value of the breakdown dimension. */
    public record Breakdown(String value, List<Step> steps, Double overallConversion) {}

    /**
     * The answer of {@code GET /v1/funnels/{name}}: the steps over every cohort that
     * matches the filter and, with {@code groupBy}, per value of that dimension (the
     * values of each cohort's first step), largest first step first.
     */
    public record Funnel(
            String name,
            String window,
            Instant from,
            Instant to,
            Map<String, String> filter,
            List<Step> steps,
            Double overallConversion,
            String groupBy,
            List<Breakdown> breakdown,
            boolean stale,
            Freshness freshness) {}

    private final MetricQueries metrics;

    public FunnelQueries(MetricQueries metrics) {
        this.metrics = metrics;
    }

    public Funnel funnel(
            String name,
            Map<String, String> filter,
            String groupBy,
            int top,
            Instant from,
            Instant to,
            Duration window) {
        if (groupBy != null) {
            metrics.requireGroupBy(name, groupBy);
        }
        MetricSeries series = metrics.query(new MetricQueries.Query(name, filter, from, to, window, null, 1), false);
        Map<Integer, Long> total = new TreeMap<>();
        Map<String, Map<Integer, Long>> byValue = new HashMap<>();
        boolean isFunnel = false;
        for (MetricSeries.Series s : series.series()) {
            Map<Integer, Long> group = groupBy == null
                    ? null
                    : byValue.computeIfAbsent(s.dimensions().getOrDefault(groupBy, ""), v -> new TreeMap<>());
            for (MetricSeries.Point p : s.points()) {
                if (p.values() == null) {
                    continue;
                }
                for (Map.Entry<String, Double> v : p.values().entrySet()) {
                    if (v.getKey().startsWith("step_")) {
                        isFunnel = true;
                        int step = Integer.parseInt(v.getKey().substring(5));
                        total.merge(step, Math.round(v.getValue()), Long::sum);
                        if (group != null) {
                            group.merge(step, Math.round(v.getValue()), Long::sum);
                        }
                    }
                }
            }
        }
        if (!isFunnel && !series.series().isEmpty()) {
            throw new ApiException(
                    400, "not_a_funnel", "Metric '" + name + "' is not a funnel (its windows carry no step counts)");
        }
        List<Step> steps = steps(total);
        List<Breakdown> breakdown = null;
        if (groupBy != null) {
            breakdown = new ArrayList<>();
            for (Map.Entry<String, Map<Integer, Long>> e : byValue.entrySet()) {
                List<Step> valueSteps = steps(e.getValue());
                if (!valueSteps.isEmpty()) {
                    breakdown.add(new Breakdown(e.getKey(), valueSteps, overall(valueSteps)));
                }
            }
            breakdown.sort(
                    Comparator.comparingLong((Breakdown b) -> -b.steps().get(0).users())
                            .thenComparing(Breakdown::value));
            if (breakdown.size() > top) {
                breakdown = new ArrayList<>(breakdown.subList(0, top));
            }
        }
        return new Funnel(
                name,
                series.window(),
                from,
                to,
                filter,
                steps,
                overall(steps),
                groupBy,
                breakdown,
                series.stale(),
                series.freshness());
    }

    private static List<Step> steps(Map<Integer, Long> users) {
        List<Step> steps = new ArrayList<>();
        Long previous = null;
        for (Map.Entry<Integer, Long> e : users.entrySet()) {
            Double conversion = previous == null ? null : previous == 0 ? 0.0 : (double) e.getValue() / previous;
            steps.add(new Step(e.getKey(), e.getValue(), conversion, conversion == null ? null : 1 - conversion));
            previous = e.getValue();
        }
        return steps;
    }

    private static Double overall(List<Step> steps) {
        return steps.size() < 2 || steps.get(0).users() == 0
                ? null
                : (double) steps.get(steps.size() - 1).users() / steps.get(0).users();
    }
}
