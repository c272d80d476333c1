package io.sightline.plans;

import com.fasterxml.jackson.databind.JsonNode;

/** JSON Schema's names of a value's type: string, integer, number, boolean, null, array, object. */
public final class JsonTypes {

    private JsonTypes() {}

    /** The narrowest type name of a value: a whole number is an integer (which JSON Schema also counts as a number). */
    public static String of(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
