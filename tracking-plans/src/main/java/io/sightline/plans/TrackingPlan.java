package io.sightline.plans;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Error;
import io.sightline.schemas.avro.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One version of a tracking plan, compiled: what each track event, page and screen may
 * carry, and the traits of identify and group calls. Built by {@link TrackingPlanCompiler};
 * immutable, so every request thread may check against it.
 *
 * @param events  planned track events by name
 * @param pages   planned page names, or null when the plan does not list pages (then any page passes)
 * @param screens planned screen names, or null when the plan does not list screens
 * @param identify traits of identify calls, or null when unplanned
 * @param group    traits of group calls, or null when unplanned
 */
public record TrackingPlan(
        String name,
        int version,
        JsonNode document,
        Map<String, PlannedEvent> events,
        Map<String, PlannedEvent> pages,
        Map<String, PlannedEvent> screens,
        PlannedEvent identify,
        PlannedEvent group) {

    private static final JsonNode EMPTY = JsonNodeFactory.instance.objectNode();
    private static final int MAX_VALUE_CHARS = 60;

    /** {@code name@version}, as violations name the plan. */
    public String label() {
        return name + "@" + version;
    }

    /** The plan's entry for an event, or null when it is not planned (or its kind is not planned at all). */
    public PlannedEvent entry(EventType type, String eventName) {
        return switch (type) {
            case track -> events.get(eventName);
            case page -> pages == null || eventName == null ? null : pages.get(eventName);
            case screen -> screens == null || eventName == null ? null : screens.get(eventName);
            case identify -> identify;
            case group -> group;
            default -> null;
        };
    }

    /**
     * Every violation of one event, in the order the schema reports them.
     *
     * @param eventName  the track event's name, or the page or screen name
     * @param properties the event's properties object, or null
     * @param traits     the event's traits object, or null
     */
    public List<Violation> check(EventType type, String eventName, JsonNode properties, JsonNode traits) {
        boolean namesPlanned = type == EventType.track
                || (type == EventType.page && pages != null)
                || (type == EventType.screen && screens != null);
        PlannedEvent entry = entry(type, eventName);
        if (entry == null) {
            if (namesPlanned && eventName != null) {
                String field = type == EventType.track ? "event" : "name";
                return List.of(
                        new Violation(ViolationType.UNPLANNED_EVENT, field, label(), "\"" + eventName + "\"", null));
            }
            return List.of();
        }
        if (entry.schema() == null) {
            return List.of();
        }
        boolean ofTraits = type == EventType.identify || type == EventType.group;
        JsonNode instance = ofTraits ? traits : properties;
        List<Error> errors = entry.schema().validate(instance == null ? EMPTY : instance);
        if (errors.isEmpty()) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>(errors.size());
        for (Error error : errors) {
            violations.add(violation(ofTraits ? "traits" : "properties", error));
        }
        return violations;
    }

    private static Violation violation(String root, Error error) {
        String pointer = error.getInstanceLocation() == null
                ? ""
                : error.getInstanceLocation().toString();
        String path = root + dotted(pointer);
        JsonNode schema = error.getSchemaNode();
        JsonNode value = error.getInstanceNode();
        String keyword = error.getKeyword() == null ? "" : error.getKeyword();
        return switch (keyword) {
            case "required" ->
                new Violation(
                        ViolationType.REQUIRED_MISSING, path + "." + error.getProperty(), "present", "missing", null);
            case "additionalProperties", "unevaluatedProperties" ->
                new Violation(
                        ViolationType.ADDITIONAL_PROPERTY,
                        path + "." + error.getProperty(),
                        "no other properties",
                        render(value == null ? null : value.get(error.getProperty())),
                        JsonPointer.compile(pointer + "/" + escape(error.getProperty())));
            case "type" ->
                new Violation(ViolationType.TYPE_MISMATCH, path, types(schema), render(value), member(pointer));
            case "enum" ->
                new Violation(ViolationType.ENUM_MISMATCH, path, "one of " + schema, render(value), member(pointer));
            case "const" ->
                new Violation(ViolationType.ENUM_MISMATCH, path, "exactly " + schema, render(value), member(pointer));
            default ->
                new Violation(
                        ViolationType.CONSTRAINT, path, keyword + " " + text(schema), render(value), member(pointer));
        };
    }

    /** The property a value sits in, for omit; null for the whole object. */
    private static JsonPointer member(String pointer) {
        return pointer.isEmpty() ? null : JsonPointer.compile(pointer);
    }

    private static String escape(String property) {
        return property.replace("~", "~0").replace("/", "~1");
    }

    /** {@code /items/0/sku} as {@code .items[0].sku}. */
    static String dotted(String pointer) {
        if (pointer.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (String segment : pointer.substring(1).split("/", -1)) {
            String name = segment.replace("~1", "/").replace("~0", "~");
            if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                b.append('[').append(name).append(']');
            } else {
                b.append('.').append(name);
            }
        }
        return b.toString();
    }

    private static String types(JsonNode schema) {
        if (schema != null && schema.isArray()) {
            List<String> names = new ArrayList<>();
            schema.forEach(n -> names.add(n.asText()));
            return String.join(" or ", names);
        }
        return text(schema);
    }

    private static String text(JsonNode node) {
        return node == null ? "?" : node.isTextual() ? node.asText() : node.toString();
    }

    /** A value as {@code string "9.99"}, {@code number 5}, {@code object}: short, so answers and records stay small. */
    static String render(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        String kind = JsonTypes.of(value);
        if (value.isContainerNode() || value.isNull()) {
            return kind;
        }
        String text = value.toString();
        return kind + " " + (text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS) + "…" : text);
    }
}
