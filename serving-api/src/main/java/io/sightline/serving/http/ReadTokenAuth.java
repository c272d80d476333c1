package io.sightline.serving.http;

import io.javalin.http.Context;
import io.sightline.common.http.ApiException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read access to the API: {@code Authorization: Bearer <read token>}, or an
 * {@code access_token} query parameter for the live stream (browsers' EventSource
 * cannot send headers). Missing or unknown token: 401; a write key (HTTP Basic, as
 * SDKs send it): 403, since writing to Sightline does not grant reading it.
 */
public final class ReadTokenAuth {

    private final Set<String> tokens;

    public ReadTokenAuth(Set<String> tokens) {
        this.tokens = Set.copyOf(tokens);
    }

    public boolean enabled() {
        return !tokens.isEmpty();
    }

    public void check(Context ctx) {
        if (!enabled()) {
            return;
        }
        String authorization = ctx.header("Authorization");
        String token = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiException(403, "write_key_cannot_read",
                    "A write key cannot read the API; send a read token as 'Authorization: Bearer <token>'");
        } else if (ctx.queryParam("access_token") != null) {
            token = ctx.queryParam("access_token");
        }
        if (token == null || token.isEmpty()) {
            throw unauthorized("missing_read_token", "Send a read token as 'Authorization: Bearer <token>'");
        }
        if (!known(token)) {
            throw unauthorized("unknown_read_token", "The read token is not known to this API");
        }
    }

    /** Constant-time comparison, so response timing does not reveal a token's prefix. */
    private boolean known(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        for (String t : tokens) {
            found |= MessageDigest.isEqual(given, t.getBytes(StandardCharsets.UTF_8));
        }
        return found;
    }

    private static ApiException unauthorized(String code, String message) {
        return new ApiException(401, code, message, List.of(), Map.of("WWW-Authenticate", "Bearer realm=\"sightline\""));
    }
}
