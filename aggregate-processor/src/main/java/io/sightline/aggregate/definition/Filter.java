package io.sightline.aggregate.definition;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.aggregate.topology.EventView;
import java.util.List;
import java.util.Locale;

/**
 * Which events a metric (or a funnel step) counts: event names (track events by
 * name; other calls as {@code $page}, {@code $identify}, ...) and conditions on
 * properties. Empty means every event.
 */
public record Filter(List<String> events, List<Condition> where) {

    public static final Filter ALL = new Filter(List.of(), List.of());

    @JsonCreator
    public static Filter of(@JsonProperty("event") JsonNode event, @JsonProperty("where") List<Condition> where) {
        List<String> events;
        if (event == null || event.isNull()) {
            events = List.of();
        } else if (event.isArray()) {
            events = new java.util.ArrayList<>();
            event.forEach(e -> events.add(e.asText()));
        } else {
            events = List.of(event.asText());
        }
        return new Filter(events, where);
    }

    public Filter {
        events = events == null ? List.of() : List.copyOf(events);
        where = where == null ? List.of() : List.copyOf(where);
    }

    public boolean matches(EventView event) {
        if (!events.isEmpty() && !events.contains(event.eventName())) {
            return false;
        }
        for (Condition c : where) {
            if (!c.matches(event)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One condition on a field ({@code properties.x}, {@code traits.x}, or any
     * dimension name): {@code op} is one of eq, ne, gt, gte, lt, lte, exists.
     */
    public record Condition(String field, String op, JsonNode value) {

        @JsonCreator
        public Condition(
                @JsonProperty(value = "field", required = true) String field,
                @JsonProperty("op") String op,
                @JsonProperty("value") JsonNode value) {
            Dimensions.check(field);
            String o = op == null ? "eq" : op.toLowerCase(Locale.ROOT);
            if (!List.of("eq", "ne", "gt", "gte", "lt", "lte", "exists").contains(o)) {
                throw new IllegalArgumentException(
                        "condition op '" + op + "' is not one of eq, ne, gt, gte, lt, lte, exists");
            }
            if (!o.equals("exists") && value == null) {
                throw new IllegalArgumentException("condition on '" + field + "' needs a 'value'");
            }
            this.field = field;
            this.op = o;
            this.value = value;
        }

        boolean matches(EventView event) {
            String actual = Dimensions.value(field, event);
            if (op.equals("exists")) {
                return actual != null;
            }
            if (actual == null) {
                return op.equals("ne");
            }
            return switch (op) {
                case "eq" -> actual.equals(value.asText());
                case "ne" -> !actual.equals(value.asText());
                default -> {
                    double a;
                    try {
                        a = Double.parseDouble(actual);
                    } catch (NumberFormatException e) {
                        yield false;
                    }
                    double v = value.asDouble();
                    yield switch (op) {
                        case "gt" -> a > v;
                        case "gte" -> a >= v;
                        case "lt" -> a < v;
                        default -> a <= v;
                    };
                }
            };
        }
    }
}
