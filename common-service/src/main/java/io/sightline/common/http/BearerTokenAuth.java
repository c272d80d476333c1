package io.sightline.common.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One scope of access ({@code read}, {@code admin}) granted by bearer tokens:
 * {@code Authorization: Bearer <token>}. Tokens are configured plain or as
 * {@code sha256:<hex>}, and only their SHA-256 is kept, so a heap dump does not hold
 * them. Missing or unknown token: 401; a write key (HTTP Basic, as SDKs send it): 403,
 * since writing to Sightline grants nothing else. Tokens are never logged.
 */
public final class BearerTokenAuth {

    private static final String HASHED = "sha256:";

    private final String scope;
    private final Set<String> tokenHashes;
    private final boolean queryParameter;

    /**
     * @param queryParameter whether an {@code access_token} query parameter is accepted too: only
     *                       for reads by browsers' EventSource, which cannot send headers
     */
    public BearerTokenAuth(String scope, Set<String> tokens, boolean queryParameter) {
        this.scope = scope;
        this.tokenHashes = tokens.stream()
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .map(t -> t.regionMatches(true, 0, HASHED, 0, HASHED.length())
                        ? t.substring(HASHED.length()).toLowerCase()
                        : sha256(t))
                .collect(Collectors.toUnmodifiableSet());
        this.queryParameter = queryParameter;
    }

    public boolean enabled() {
        return !tokenHashes.isEmpty();
    }

    /** Lets the request through when the scope has no tokens configured; see {@link #require} to refuse instead. */
    public void check(Context ctx) {
        if (enabled()) {
            require(ctx);
        }
    }

    /** Lets the request through only with a token of this scope. */
    public void require(Context ctx) {
        if (!enabled()) {
            throw new ApiException(
                    403,
                    scope + "_access_disabled",
                    "No " + scope + " tokens are configured on this service, so this call is refused; set SIGHTLINE_"
                            + scope.toUpperCase() + "_TOKENS");
        }
        String authorization = ctx.header("Authorization");
        String token = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiException(
                    403,
                    "write_key_cannot_" + scope,
                    "A write key grants no " + scope + " access; send a " + scope
                            + " token as 'Authorization: Bearer <token>'");
        } else if (queryParameter && ctx.queryParam("access_token") != null) {
            token = ctx.queryParam("access_token");
        }
        if (token == null || token.isEmpty()) {
            throw unauthorized(
                    "missing_" + scope + "_token", "Send a " + scope + " token as 'Authorization: Bearer <token>'");
        }
        if (!known(token)) {
            throw unauthorized("unknown_" + scope + "_token", "The " + scope + " token is not known to this service");
        }
    }

    /** Constant-time comparison of the hashes, so response timing does not reveal a token's prefix. */
    private boolean known(String token) {
        byte[] given = sha256(token).getBytes(StandardCharsets.US_ASCII);
        boolean found = false;
        for (String t : tokenHashes) {
            found |= MessageDigest.isEqual(given, t.getBytes(StandardCharsets.US_ASCII));
        }
        return found;
    }

    static String sha256(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static ApiException unauthorized(String code, String message) {
        return new ApiException(
                401, code, message, List.of(), Map.of("WWW-Authenticate", "Bearer realm=\"sightline\""));
    }
}
