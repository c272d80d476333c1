package io.sightline.serving.query;

import io.sightline.common.http.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    public record Step(int step, long users, Double conversionFromPrevious, Double dropOff) {
    }

    /** The answer of {@code GET /v1/funnels/{name}}. */
    public record Funnel(String name, String window, Instant from, Instant to, List<Step> steps, Double overallConversion,
                         boolean stale, Freshness freshness) {
    }

    private final MetricQueries metrics;

    public FunnelQueries(MetricQueries metrics) {
        this.metrics = metrics;
    }

    public Funnel funnel(String name, Instant from, Instant to, Duration window) {
        MetricSeries series = metrics.query(new MetricQueries.Query(name, Map.of(), from, to, window, null, 1), false);
        Map<Integer, Long> users = new TreeMap<>();
        boolean isFunnel = false;
        for (MetricSeries.Series s : series.series()) {
            for (MetricSeries.Point p : s.points()) {
                if (p.values() == null) {
                    continue;
                }
                for (Map.Entry<String, Double> v : p.values().entrySet()) {
                    if (v.getKey().startsWith("step_")) {
                        isFunnel = true;
                        users.merge(Integer.parseInt(v.getKey().substring(5)), Math.round(v.getValue()), Long::sum);
                    }
                }
            }
        }
        if (!isFunnel && !series.series().isEmpty()) {
            throw new ApiException(400, "not_a_funnel", "Metric '" + name + "' is not a funnel (its windows carry no step counts)");
        }
        List<Step> steps = new ArrayList<>();
        Long previous = null;
        for (Map.Entry<Integer, Long> e : users.entrySet()) {
            Double conversion = previous == null ? null : previous == 0 ? 0.0 : (double) e.getValue() / previous;
            steps.add(new Step(e.getKey(), e.getValue(), conversion, conversion == null ? null : 1 - conversion));
            previous = e.getValue();
        }
        Double overall = steps.size() < 2 || steps.get(0).users() == 0 ? null
                : (double) steps.get(steps.size() - 1).users() / steps.get(0).users();
        return new Funnel(name, series.window(), from, to, steps, overall, series.stale(), series.freshness());
    }
}
