package io.sightline.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Confluent compatibility levels, checked with Avro's own {@link SchemaCompatibility}.
 * BACKWARD: the new schema can read data written with the previous one.
 */
public enum CompatibilityLevel {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE;

    public static CompatibilityLevel parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new SchemaRegistryException(
                    422,
                    SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level '" + value + "'; expected one of " + List.of(values()));
        }
    }

    /**
     * Reasons why {@code candidate} is not compatible with the existing versions (oldest
     * first); empty when compatible.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> existingOldestFirst) {
        if (this == NONE || existingOldestFirst.isEmpty()) {
            return List.of();
        }
        boolean transitive = name().endsWith("_TRANSITIVE");
        List<Schema> against =
                transitive ? existingOldestFirst : List.of(existingOldestFirst.get(existingOldestFirst.size() - 1));
        boolean backward = name().startsWith("BACKWARD") || name().startsWith("FULL");
        boolean forward = name().startsWith("FORWARD") || name().startsWith("FULL");
        List<String> problems = new ArrayList<>();
        for (Schema existing : against) {
            if (backward) {
                check(
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing),
                        "new schema cannot read data written with an existing one",
                        problems);
            }
            if (forward) {
                check(
                        SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate),
                        "an existing schema cannot read data written with the new one",
                        problems);
            }
        }
        return problems;
    }

    private static void check(SchemaCompatibility.SchemaPairCompatibility result, String what, List<String> problems) {
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
                problems.add(what + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
            }
        }
    }
}
