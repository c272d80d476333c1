package io.sightline.aggregate.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.TrackedEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** An enriched event as metric definitions see it: its name, and its JSON fields parsed once. */
public final class EventView {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EnrichedEvent enriched;
    private final String eventName;
    private final Map<String, JsonNode> parsed = new HashMap<>();

    public EventView(EnrichedEvent enriched) {
        this.enriched = enriched;
        this.eventName = eventName(enriched.getEvent());
    }

    /** Track calls by their own name; other calls as {@code $page}, {@code $identify}, ... */
    public static String eventName(TrackedEvent event) {
        return switch (event.getType()) {
            case track -> event.getEvent();
            default -> "$" + event.getType().name();
        };
    }

    public EnrichedEvent enriched() {
        return enriched;
    }

    public String eventName() {
        return eventName;
    }

    /** A top-level value of one of the JSON fields (properties, traits, product, group_traits) as text. */
    public String json(String object, String key) {
        JsonNode node = parsed.computeIfAbsent(
                object,
                o -> parse(
                        switch (o) {
                            case "properties" -> enriched.getEvent().getProperties();
                            case "traits" -> enriched.getUserTraits();
                            case "product" -> enriched.getProduct();
                            default -> enriched.getGroupTraits();
                        }));
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** A numeric property, or NaN when absent or not a number. */
    public double number(String property) {
        String text = json("properties", property);
        if (text == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}
