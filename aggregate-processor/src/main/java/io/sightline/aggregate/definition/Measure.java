package io.sightline.aggregate.definition;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a metric measures over the events its filter lets through.
 * <ul>
 *   <li>{@code count}: events;</li>
 *   <li>{@code unique_users}, {@code unique_sessions}: distinct users or sessions (HLL sketch);</li>
 *   <li>{@code sum}, {@code mean}, {@code p50}, {@code p95}, {@code p99}: of the numeric
 *       {@code property} (a KLL quantiles sketch; every one also reports all three percentiles);</li>
 *   <li>{@code ratio}: {@code numerator} metric over {@code denominator} metric (both count or unique);</li>
 *   <li>{@code funnel}: users who did {@code steps} in order, the first within {@code within} of the first.</li>
 * </ul>
 */
public record Measure(
        Type type, String property, String numerator, String denominator, List<Filter> steps, Duration within) {

    public enum Type {
        COUNT,
        UNIQUE_USERS,
        UNIQUE_SESSIONS,
        SUM,
        MEAN,
        P50,
        P95,
        P99,
        RATIO,
        FUNNEL;

        public boolean distribution() {
            return this == SUM || this == MEAN || this == P50 || this == P95 || this == P99;
        }

        public boolean unique() {
            return this == UNIQUE_USERS || this == UNIQUE_SESSIONS;
        }
    }

    @JsonCreator
    public static Measure of(
            @JsonProperty(value = "type", required = true) String type,
            @JsonProperty("property") String property,
            @JsonProperty("numerator") String numerator,
            @JsonProperty("denominator") String denominator,
            @JsonProperty("steps") List<Filter> steps,
            @JsonProperty("within") String within) {
        Type t;
        try {
            t = Type.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "measure type '" + type + "' is not one of count, unique_users, unique_sessions, "
                            + "sum, mean, p50, p95, p99, ratio, funnel");
        }
        return new Measure(
                t,
                property,
                numerator,
                denominator,
                steps,
                within == null ? null : MetricDefinition.parseWindow(within));
    }

    public Measure {
        if (type.distribution() && (property == null || property.isBlank())) {
            throw new IllegalArgumentException("measure " + type.name().toLowerCase(Locale.ROOT)
                    + " needs 'property' (the numeric event property)");
        }
        if (type == Type.RATIO && (numerator == null || denominator == null)) {
            throw new IllegalArgumentException(
                    "measure ratio needs 'numerator' and 'denominator' (names of count or unique metrics)");
        }
        if (type == Type.FUNNEL) {
            if (steps == null || steps.size() < 2) {
                throw new IllegalArgumentException("measure funnel needs at least two 'steps'");
            }
            if (within == null) {
                throw new IllegalArgumentException(
                        "measure funnel needs 'within' (e.g. 1h), the time limit from the first step");
            }
            steps = List.copyOf(steps);
        }
    }

    public static Measure count() {
        return new Measure(Type.COUNT, null, null, null, null, null);
    }
}
