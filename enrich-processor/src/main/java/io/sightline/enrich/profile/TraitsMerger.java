package io.sightline.enrich.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Merges identify (or group) traits into what is known: later values win, absent keys
 * stay. Keys inside a {@code $set_once} object are kept from their first value
 * (PostHog's convention, for "first seen"-style traits).
 */
public final class TraitsMerger {

    public static final String SET_ONCE = "$set_once";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraitsMerger() {}

    /** {@code known} and {@code update} are JSON objects (either may be null); the result is one. */
    public static String merge(String known, String update) {
        ObjectNode merged = parse(known);
        ObjectNode changes = parse(update);
        changes.fields().forEachRemaining(field -> {
            if (SET_ONCE.equals(field.getKey()) && field.getValue() instanceof ObjectNode once) {
                once.fields().forEachRemaining(f -> {
                    if (!merged.has(f.getKey())) {
                        merged.set(f.getKey(), f.getValue());
                    }
                });
            } else {
                merged.set(field.getKey(), field.getValue());
            }
        });
        return merged.toString();
    }

    private static ObjectNode parse(String json) {
        if (json == null || json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(json);
            return node instanceof ObjectNode object ? object : JSON.createObjectNode();
        } catch (IOException e) {
            throw new IllegalArgumentException("traits are not a JSON object", e);
        }
    }
}
