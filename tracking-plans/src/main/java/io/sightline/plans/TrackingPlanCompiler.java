package io.sightline.plans;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a plan document, checks it, and compiles its JSON Schemas (draft 2020-12) once,
 * so checking an event costs no schema parsing. Every problem is reported with its
 * path in the document, so a 422 can say exactly what to fix.
 *
 * <pre>{@code
 * {"name": "web", "version": 3,
 *  "events":  {"Order Completed": {"description": "...", "owner": "checkout-team", "properties": { JSON Schema }}},
 *  "pages":   {"Home": {"properties": { ... }}},          optional: without it any page name passes
 *  "screens": {"Cart": {}},                               optional, likewise
 *  "identify": {"traits": { JSON Schema }},
 *  "group":    {"traits": { JSON Schema }}}
 * }</pre>
 */
public final class TrackingPlanCompiler {

    /** Plan names appear in URLs, topic keys and metric tags. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    private static final Set<String> TOP_LEVEL =
            Set.of("name", "version", "description", "events", "pages", "screens", "identify", "group");
    private static final Set<String> ENTRY_KEYS = Set.of("description", "owner", "properties");
    private static final Set<String> TRAITS_KEYS = Set.of("description", "owner", "traits");
    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Schema metaSchema = registry.getSchema(SchemaLocation.of(META_SCHEMA));

    /**
     * @param version the version this document is published as (the document's own {@code version} is replaced)
     * @throws InvalidPlanException with every problem and its path
     */
    public TrackingPlan compile(String name, int version, JsonNode document) {
        List<InvalidPlanException.Problem> problems = new ArrayList<>();
        if (document == null || !document.isObject()) {
            throw new InvalidPlanException(
                    List.of(new InvalidPlanException.Problem("(plan)", "a plan must be a JSON object")));
        }
        if (!NAME.matcher(name).matches()) {
            problems.add(new InvalidPlanException.Problem(
                    "name", "'" + name + "' is not a plan name: letters, digits, '_', '.', '-', at most 100"));
        }
        JsonNode ownName = document.get("name");
        if (ownName != null && !(ownName.isTextual() && ownName.asText().equals(name))) {
            problems.add(new InvalidPlanException.Problem(
                    "name", "the document names plan " + ownName + ", not '" + name + "'"));
        }
        unknownKeys(document, TOP_LEVEL, "", problems);
        Map<String, PlannedEvent> events = entries(document, "events", false, problems);
        Map<String, PlannedEvent> pages = entries(document, "pages", true, problems);
        Map<String, PlannedEvent> screens = entries(document, "screens", true, problems);
        PlannedEvent identify = traits(document, "identify", problems);
        PlannedEvent group = traits(document, "group", problems);
        if (!problems.isEmpty()) {
            throw new InvalidPlanException(problems);
        }
        ObjectNode stored = ((ObjectNode) document).deepCopy();
        stored.put("name", name);
        stored.put("version", version);
        return new TrackingPlan(name, version, stored, events, pages, screens, identify, group);
    }

    /** A section of named entries; null when an optional section is absent. */
    private Map<String, PlannedEvent> entries(
            JsonNode document, String section, boolean optional, List<InvalidPlanException.Problem> problems) {
        JsonNode node = document.get(section);
        if (node == null || node.isNull()) {
            return optional ? null : Map.of();
        }
        if (!node.isObject()) {
            problems.add(new InvalidPlanException.Problem(section, "must be an object of entries by name"));
            return Map.of();
        }
        Map<String, PlannedEvent> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = section + "." + e.getKey();
            if (e.getKey().isBlank()) {
                problems.add(new InvalidPlanException.Problem(path, "an entry needs a non-empty name"));
                continue;
            }
            PlannedEvent entry = entry(e.getKey(), e.getValue(), path, ENTRY_KEYS, "properties", problems);
            if (entry != null) {
                entries.put(e.getKey(), entry);
            }
        }
        return Map.copyOf(entries);
    }

    private PlannedEvent traits(JsonNode document, String section, List<InvalidPlanException.Problem> problems) {
        JsonNode node = document.get(section);
        return node == null || node.isNull() ? null : entry(section, node, section, TRAITS_KEYS, "traits", problems);
    }

    private PlannedEvent entry(
            String name,
            JsonNode node,
            String path,
            Set<String> keys,
            String schemaKey,
            List<InvalidPlanException.Problem> problems) {
        if (!node.isObject()) {
            problems.add(new InvalidPlanException.Problem(
                    path, "must be an object with " + String.join(", ", new java.util.TreeSet<>(keys))));
            return null;
        }
        unknownKeys(node, keys, path + ".", problems);
        String description = text(node, "description", path, problems);
        String owner = text(node, "owner", path, problems);
        JsonNode schemaNode = node.get(schemaKey);
        Schema schema = null;
        if (schemaNode != null && !schemaNode.isNull()) {
            schema = schema(schemaNode, path + "." + schemaKey, problems);
        }
        return new PlannedEvent(name, description, owner, schemaNode, schema);
    }

    private Schema schema(JsonNode schemaNode, String path, List<InvalidPlanException.Problem> problems) {
        int before = problems.size();
        Set<String> seen = new LinkedHashSet<>();
        for (Error error : metaSchema.validate(schemaNode)) {
            // anyOf in the meta-schema reports one failure per branch: keep the first per location
            String where = path
                    + TrackingPlan.dotted(
                            error.getInstanceLocation() == null
                                    ? ""
                                    : error.getInstanceLocation().toString());
            if (seen.add(where)) {
                problems.add(new InvalidPlanException.Problem(where, error.getMessage()));
            }
        }
        remoteReferences(schemaNode, path, problems);
        if (problems.size() > before) {
            return null;
        }
        try {
            return registry.getSchema(schemaNode);
        } catch (RuntimeException e) {
            problems.add(new InvalidPlanException.Problem(path, "not a usable JSON Schema: " + e.getMessage()));
            return null;
        }
    }

    /** A gateway must not fetch URLs named by a plan: only references inside the schema ({@code #...}) are allowed. */
    private static void remoteReferences(JsonNode node, String path, List<InvalidPlanException.Problem> problems) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if ((e.getKey().equals("$ref") || e.getKey().equals("$dynamicRef"))
                        && e.getValue().isTextual()
                        && !e.getValue().asText().startsWith("#")) {
                    problems.add(new InvalidPlanException.Problem(
                            path + "." + e.getKey(),
                            "only references within the schema (starting with #) are allowed, not " + e.getValue()));
                }
                remoteReferences(e.getValue(), path + "." + e.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                remoteReferences(node.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static void unknownKeys(
            JsonNode node, Set<String> allowed, String prefix, List<InvalidPlanException.Problem> problems) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                problems.add(new InvalidPlanException.Problem(
                        prefix + key,
                        "unknown key; expected one of " + String.join(", ", new java.util.TreeSet<>(allowed))));
            }
        }
    }

    private static String text(JsonNode node, String field, String path, List<InvalidPlanException.Problem> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add(new InvalidPlanException.Problem(path + "." + field, "must be a string"));
            return null;
        }
        return value.asText();
    }
}
