package io.sightline.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces the values of configured keys (at any depth of a JSON object) by
 * {@code hmac:<hex of HMAC-SHA256(secret, value)>}: the same email always hashes to
 * the same value, so it can still be counted and joined, but cannot be read back
 * without the secret.
 */
public final class PiiHasher {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PREFIX = "hmac:";

    private final Set<String> keys;
    private final SecretKeySpec secret;

    public PiiHasher(List<String> keys, String secret) {
        this.keys = keys.stream()
                .map(k -> k.trim().toLowerCase(Locale.ROOT))
                .filter(k -> !k.isEmpty())
                .collect(Collectors.toSet());
        this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String hash(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** {@code json} with PII values hashed; null stays null; input that is not JSON is rejected. */
    public String apply(String json) {
        if (json == null || keys.isEmpty()) {
            return json;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return walk(node) ? node.toString() : json;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON document", e);
        }
    }

    /**
     * A JSON event (as an SDK sent it) with its personal data masked in place: PII keys
     * hashed at any depth, {@code context.ip} anonymized. What a dead letter keeps.
     */
    public JsonNode maskEvent(JsonNode event) {
        walk(event);
        if (event.path("context") instanceof ObjectNode context) {
            IpAnonymizer.anonymizeField(context);
        }
        return event;
    }

    /** Hashes in place; answers whether anything changed. */
    boolean walk(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            var fields = object.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                JsonNode value = field.getValue();
                if (keys.contains(field.getKey().toLowerCase(Locale.ROOT)) && value.isValueNode() && !value.isNull()) {
                    String text = value.asText();
                    if (!text.startsWith(PREFIX)) {
                        field.setValue(TextNode.valueOf(hash(text)));
                        changed = true;
                    }
                } else {
                    changed |= walk(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode item : array) {
                changed |= walk(item);
            }
        }
        return changed;
    }
}
