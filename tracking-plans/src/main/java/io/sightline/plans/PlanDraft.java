package io.sightline.plans;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Drafts a tracking plan from the observed event catalog ({@code GET /v1/catalog/events}),
 * as Amplitude and Avo do from live traffic: every event name a source sent, each
 * property with the JSON types it came as, required when every event had it. A draft is
 * a start to review, not a contract: it allows other properties, and a name that is a
 * typo of another is drafted like any other.
 */
public final class PlanDraft {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private PlanDraft() {}

    /** @param catalog the answer of {@code GET /v1/catalog/events?source=...}: {@code {"events": [...]}} */
    public static ObjectNode of(JsonNode catalog, String source) {
        ObjectNode plan = JSON.objectNode();
        ObjectNode events = JSON.objectNode();
        ObjectNode pages = JSON.objectNode();
        ObjectNode screens = JSON.objectNode();
        for (JsonNode event : catalog.path("events")) {
            if (!source.equals(event.path("source").asText())) {
                continue;
            }
            String type = event.path("type").asText();
            String name = event.path("name").isTextual() ? event.path("name").asText() : null;
            ObjectNode entry = JSON.objectNode();
            entry.put(
                    "description",
                    "Drafted from " + event.path("count").asLong() + " events seen "
                            + event.path("firstSeen").asText() + " to "
                            + event.path("lastSeen").asText());
            if (event.path("owner").isTextual()) {
                entry.put("owner", event.path("owner").asText());
            }
            ObjectNode schema = schema(event);
            switch (type) {
                case "track" -> {
                    entry.set("properties", schema);
                    events.set(name, entry);
                }
                case "page", "screen" -> {
                    if (name != null) {
                        entry.set("properties", schema);
                        (type.equals("page") ? pages : screens).set(name, entry);
                    }
                }
                case "identify", "group" -> {
                    ObjectNode traits = JSON.objectNode();
                    traits.put("description", entry.get("description").asText());
                    traits.set("traits", schema);
                    plan.set(type, traits);
                }
                default -> {}
            }
        }
        plan.set("events", events);
        if (!pages.isEmpty()) {
            plan.set("pages", pages);
        }
        if (!screens.isEmpty()) {
            plan.set("screens", screens);
        }
        return plan;
    }

    private static ObjectNode schema(JsonNode event) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        List<String> required = new ArrayList<>();
        long count = event.path("count").asLong();
        for (JsonNode property : event.path("properties")) {
            String name = property.path("name").asText();
            properties.set(name, types(property.path("types")));
            if (property.path("count").asLong() >= count && count > 0) {
                required.add(name);
            }
        }
        if (!required.isEmpty()) {
            ArrayNode r = schema.putArray("required");
            required.stream().sorted().forEach(r::add);
        }
        return schema;
    }

    /** {"number": 5, "integer": 2} becomes {"type": "number"}; several kinds become a list. */
    private static ObjectNode types(JsonNode observed) {
        TreeSet<String> kinds = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = observed.fields(); it.hasNext(); ) {
            String type = it.next().getKey();
            kinds.add(type.equals("integer") && observed.has("number") ? "number" : type);
        }
        ObjectNode schema = JSON.objectNode();
        if (kinds.size() == 1) {
            schema.put("type", kinds.first());
        } else if (!kinds.isEmpty()) {
            ArrayNode list = schema.putArray("type");
            kinds.forEach(list::add);
        }
        return schema;
    }
}
