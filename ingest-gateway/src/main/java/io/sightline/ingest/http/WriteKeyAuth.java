package io.sightline.ingest.http;

import io.javalin.http.Context;
import io.sightline.common.http.ApiException;
import io.sightline.ingest.validation.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Segment-style write-key auth: the key is the HTTP Basic user name (empty password),
 * the {@code X-Write-Key} header, or the body's {@code writeKey} field (as Segment's
 * HTTP API accepts all three). Answers which source the key belongs to.
 */
public final class WriteKeyAuth {

    private final Map<String, String> sourcesByWriteKey;

    public WriteKeyAuth(Map<String, String> sourcesByWriteKey) {
        this.sourcesByWriteKey = Map.copyOf(sourcesByWriteKey);
    }

    /** The source name for the write key in the request's headers, null when there is none there; 401 when it is unknown. */
    public String sourceOfHeaderKey(Context ctx) {
        String key = writeKey(ctx);
        return key == null ? null : sourceOf(key);
    }

    /** The source name for a write key sent elsewhere (the body's {@code writeKey} field, a path; null: none); 401 when missing or unknown. */
    public String sourceOfKey(String key) {
        return sourceOf(key == null || key.isBlank() ? null : key.trim());
    }

    private String sourceOf(String key) {
        if (key == null) {
            throw unauthorized(
                    ErrorCode.MISSING_WRITE_KEY,
                    "No write key: send it as the HTTP Basic user name (empty password), "
                            + "in the X-Write-Key header or in the body's writeKey field");
        }
        String source = sourcesByWriteKey.get(key);
        if (source == null) {
            throw unauthorized(ErrorCode.UNKNOWN_WRITE_KEY, "The write key is not known to this gateway");
        }
        return source;
    }

    private static String writeKey(Context ctx) {
        String header = ctx.header("X-Write-Key");
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(
                        Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String user = colon >= 0 ? decoded.substring(0, colon) : decoded;
                return user.isEmpty() ? null : user;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static ApiException unauthorized(ErrorCode code, String message) {
        return code.exception(message, List.of(), Map.of("WWW-Authenticate", "Basic realm=\"sightline\""));
    }
}
