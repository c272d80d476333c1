package io.sightline.common.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named bearer tokens with scopes ({@link Scope}): {@code Authorization: Bearer <token>}.
 * Configured in {@code SIGHTLINE_ACCESS_TOKENS} as {@code ;}-separated entries
 * {@code <name>=<token>@<scope>[,<scope>...]}, where {@code metrics:read} may name the only
 * metrics it grants ({@code metrics:read[revenue|orders]}); a token is plain or
 * {@code sha256:<hex>}, and only its SHA-256 is kept, so a heap dump does not hold it.
 * Missing or unknown token: 401; a token without the scope: 403 naming the scope; a write
 * key (HTTP Basic, as SDKs send it): 403, since writing grants nothing else. Tokens never
 * appear in logs, metrics or errors: errors name the entry by position and name.
 */
public final class AccessTokens {

    private static final String HASHED = "sha256:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern SCOPE = Pattern.compile("([a-z:]+)(?:\\[([^\\]]*)\\])?");

    private record Credential(Caller caller, byte[] tokenHash) {}

    private final List<Credential> credentials;
    private final boolean queryParameter;

    private AccessTokens(List<Credential> credentials, boolean queryParameter) {
        this.credentials = List.copyOf(credentials);
        this.queryParameter = queryParameter;
    }

    /**
     * @param entries        the {@code SIGHTLINE_ACCESS_TOKENS} value (may be empty)
     * @param legacy         tokens of the older per-scope settings, granted as a credential named like the setting
     *                       ({@code read.tokens}: metrics and quality reads; {@code admin.tokens}: admin)
     * @param queryParameter whether an {@code access_token} query parameter is accepted too: only for reads by
     *                       browsers' EventSource, which cannot send headers
     * @throws IllegalArgumentException naming the entry (never its token) and what to fix
     */
    public static AccessTokens parse(String entries, Map<String, LegacyTokens> legacy, boolean queryParameter) {
        List<Credential> credentials = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        String[] parts = entries == null ? new String[0] : entries.split(";");
        for (int i = 0; i < parts.length; i++) {
            String entry = parts[i].trim();
            if (entry.isEmpty()) {
                continue;
            }
            credentials.add(parseEntry(entry, i + 1, names));
        }
        legacy.forEach((name, tokens) -> {
            for (String token : tokens.tokens()) {
                credentials.add(new Credential(new Caller(name, tokens.scopes(), Set.of()), configured(token)));
            }
        });
        return new AccessTokens(credentials, queryParameter);
    }

    /** Tokens of an older per-scope setting and the scopes they grant. */
    public record LegacyTokens(Set<String> tokens, Set<Scope> scopes) {}

    private static Credential parseEntry(String entry, int position, Set<String> names) {
        int eq = entry.indexOf('=');
        int at = entry.lastIndexOf('@');
        String where = "SIGHTLINE_ACCESS_TOKENS entry " + position;
        if (eq <= 0 || at < eq) {
            throw new IllegalArgumentException(
                    where + " must be <name>=<token>@<scope>[,<scope>...], e.g. dashboard=<token>@metrics:read");
        }
        String name = entry.substring(0, eq).trim();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where
                    + ": a name is letters, digits, '_', '.' or '-' (at most 64), and starts with a letter or digit");
        }
        where += " ('" + name + "')";
        if (!names.add(name)) {
            throw new IllegalArgumentException(
                    where + ": the name is used by another entry; audit records need it unique");
        }
        String token = entry.substring(eq + 1, at).trim();
        if (token.isEmpty() || token.equalsIgnoreCase(HASHED)) {
            throw new IllegalArgumentException(where + ": the token is empty");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Set<String> metrics = new LinkedHashSet<>();
        for (String s : splitScopes(entry.substring(at + 1))) {
            Matcher m = SCOPE.matcher(s);
            Scope scope = m.matches() ? Scope.of(m.group(1)).orElse(null) : null;
            if (scope == null) {
                throw new IllegalArgumentException(
                        where + ": unknown scope '" + s + "'; the scopes are " + Scope.labels());
            }
            if (m.group(2) != null) {
                if (scope != Scope.METRICS_READ) {
                    throw new IllegalArgumentException(where + ": only metrics:read can be limited to named metrics");
                }
                Arrays.stream(m.group(2).split("\\|"))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .forEach(metrics::add);
                if (metrics.isEmpty()) {
                    throw new IllegalArgumentException(where + ": metrics:read[...] names no metric");
                }
            }
            scopes.add(scope);
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException(where + ": no scope; the scopes are " + Scope.labels());
        }
        return new Credential(new Caller(name, scopes, metrics), configured(token));
    }

    /** Scopes are comma-separated, but a metric list in brackets is one scope. */
    private static List<String> splitScopes(String text) {
        List<String> scopes = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                scopes.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        scopes.add(current.toString().trim());
        scopes.removeIf(String::isEmpty);
        return scopes;
    }

    /** Whether some token has {@code scope}: without one, reads of it are open (local use) and admin calls refused. */
    public boolean grants(Scope scope) {
        return credentials.stream().anyMatch(c -> c.caller().scopes().contains(scope));
    }

    /**
     * Lets a read through when no token has {@code scope} (local use: a token for other scopes,
     * say an admin's, does not close the dashboard); otherwise as {@link #require}.
     */
    public Caller check(Context ctx, Scope scope) {
        if (!grants(scope)) {
            Caller.ANONYMOUS.attachTo(ctx);
            return Caller.ANONYMOUS;
        }
        return require(ctx, scope);
    }

    /** Lets the request through only with a token that has {@code scope}; answers who it is. */
    public Caller require(Context ctx, Scope scope) {
        if (!grants(scope)) {
            throw new ApiException(
                    403,
                    "scope_not_configured",
                    "No token on this service has the scope " + scope.label()
                            + ", so this call is refused; add one to SIGHTLINE_ACCESS_TOKENS");
        }
        String authorization = ctx.header("Authorization");
        String token = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiException(
                    403,
                    "write_key_not_a_token",
                    "A write key grants no " + scope.label() + " access; send a token with the scope " + scope.label()
                            + " as 'Authorization: Bearer <token>'");
        } else if (queryParameter && ctx.queryParam("access_token") != null) {
            token = ctx.queryParam("access_token");
        }
        if (token == null || token.isEmpty()) {
            throw unauthorized(
                    "missing_token",
                    "Send a token with the scope " + scope.label() + " as 'Authorization: Bearer <token>'");
        }
        Caller caller = find(token);
        if (caller == null) {
            throw unauthorized("unknown_token", "The token is not known to this service");
        }
        caller.attachTo(ctx);
        if (!caller.scopes().contains(scope)) {
            throw new ApiException(
                    403,
                    "missing_scope",
                    "The token '" + caller.name() + "' lacks the scope " + scope.label() + " (it has "
                            + caller.scopes().stream()
                                    .map(Scope::label)
                                    .sorted()
                                    .toList() + ")");
        }
        return caller;
    }

    /** Compares every credential's hash in constant time, so response timing reveals nothing of a token. */
    private Caller find(String token) {
        // What a request sends is always hashed: knowing a configured hash must not be enough.
        byte[] given = sha256(token).getBytes(StandardCharsets.US_ASCII);
        Caller found = null;
        for (Credential c : credentials) {
            if (MessageDigest.isEqual(given, c.tokenHash()) && found == null) {
                found = c.caller();
            }
        }
        return found;
    }

    /** A configured token's hash: given as {@code sha256:<hex>}, or hashed here. */
    private static byte[] configured(String token) {
        String t = token.trim();
        String hex = t.regionMatches(true, 0, HASHED, 0, HASHED.length())
                ? t.substring(HASHED.length()).toLowerCase(Locale.ROOT)
                : sha256(t);
        return hex.getBytes(StandardCharsets.US_ASCII);
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
