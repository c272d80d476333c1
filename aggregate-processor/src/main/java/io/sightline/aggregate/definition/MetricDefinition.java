package io.sightline.aggregate.definition;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One metric: which events count (filter), what is measured, sliced by which
 * dimensions, in which windows. See docs/metrics.md for the file format.
 *
 * @param maxCardinality distinct dimension combinations kept per input partition;
 *                       later ones roll into {@code other} (null: the processor default)
 * @param includeBots    whether events from robots count (off by default)
 */
public record MetricDefinition(
        String name,
        Filter filter,
        Measure measure,
        List<String> dimensions,
        List<String> windows,
        Integer maxCardinality,
        boolean includeBots) {

    @JsonCreator
    public MetricDefinition(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty("filter") Filter filter,
            @JsonProperty(value = "measure", required = true) Measure measure,
            @JsonProperty("dimensions") List<String> dimensions,
            @JsonProperty("windows") List<String> windows,
            @JsonProperty("maxCardinality") Integer maxCardinality,
            @JsonProperty("includeBots") Boolean includeBots) {
        this(name, filter, measure, dimensions, windows, maxCardinality, includeBots != null && includeBots);
    }

    public MetricDefinition {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("metric name '" + name + "' must be lower_snake_case (a-z, 0-9, _)");
        }
        filter = filter == null ? Filter.ALL : filter;
        dimensions = dimensions == null ? List.of() : List.copyOf(dimensions);
        for (String d : dimensions) {
            Dimensions.check(d);
        }
        windows = windows == null || windows.isEmpty() ? List.of("1m", "1h") : List.copyOf(windows);
        for (String w : windows) {
            parseWindow(w);
        }
        if (maxCardinality != null && maxCardinality < 1) {
            throw new IllegalArgumentException("metric '" + name + "': maxCardinality must be at least 1");
        }
    }

    public List<Duration> windowSizes() {
        return windows.stream().map(MetricDefinition::parseWindow).toList();
    }

    /** The name of this metric's series in {@code window}: the plain name for one minute, else suffixed ({@code name.1h}). */
    public String seriesName(String window) {
        return parseWindow(window).equals(Duration.ofMinutes(1)) ? name : name + "." + window;
    }

    /** {@code 30s}, {@code 1m}, {@code 1h}, {@code 1d}. */
    public static Duration parseWindow(String window) {
        // Asked for on every contribution: the regex check and parse run once per distinct window.
        Duration parsed = window == null ? null : PARSED_WINDOWS.get(window);
        if (parsed == null) {
            parsed = parseWindowUncached(window);
            PARSED_WINDOWS.put(window, parsed);
        }
        return parsed;
    }

    private static final Map<String, Duration> PARSED_WINDOWS = new ConcurrentHashMap<>();

    private static Duration parseWindowUncached(String window) {
        if (window == null || !window.matches("[1-9][0-9]*[smhd]")) {
            throw new IllegalArgumentException(
                    "window '" + window + "' must be a number and a unit s, m, h or d (e.g. 1m, 1h)");
        }
        long n = Long.parseLong(window.substring(0, window.length() - 1));
        return switch (window.charAt(window.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
