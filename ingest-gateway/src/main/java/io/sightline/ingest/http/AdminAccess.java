package io.sightline.ingest.http;

import io.javalin.config.JavalinConfig;
import io.sightline.common.audit.AuditLog;
import io.sightline.common.http.AccessTokens;
import io.sightline.common.http.Scope;
import java.util.List;

/**
 * The gateway's admin API in one place: every request under these paths needs a token
 * with the {@code admin} scope, and every one of them, allowed or refused, is recorded in
 * the audit log with the credential's name, the client's address and the status answered.
 */
public final class AdminAccess {

    /** The admin API: tracking plans, regulations, retention, the audit log itself. */
    public static final List<String> PATHS =
            List.of("/v1/tracking-plans", "/v1/regulations", "/v1/retention", "/v1/audit");

    private final AccessTokens tokens;
    private final AuditLog audit;

    public AdminAccess(AccessTokens tokens, AuditLog audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    public void addTo(JavalinConfig javalin) {
        for (String base : PATHS) {
            for (String path : List.of(base, base + "/*")) {
                javalin.routes.before(path, ctx -> {
                    if (!"OPTIONS".equals(ctx.method().name())) {
                        tokens.require(ctx, Scope.ADMIN);
                    }
                });
                javalin.routes.after(path, ctx -> {
                    if (!"OPTIONS".equals(ctx.method().name())) {
                        audit.record(ctx);
                    }
                });
            }
        }
    }
}
