package io.sightline.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.health.HealthCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Named, scoped tokens through a real HTTP server: who may call what, and what the answers say. */
class AccessTokensTest {

    private static final String ENTRIES = "dashboard=dash-token@metrics:read,quality:read;"
            + " finance=fin-token@metrics:read[revenue|orders];"
            + " ops=sha256:" + AccessTokens.sha256("ops-token") + "@admin";

    private final HttpClient http = HttpClient.newHttpClient();
    private HttpService server;

    /** A service that takes admin.tokens besides access.tokens. */
    static final class ProbeConfig extends ServiceConfig {
        ProbeConfig() {
            super(withTokens(baseDefinition(0), "admin", Importance.LOW, "Admin."), Map.of("SIGHTLINE_HTTP_PORT", "0"));
        }
    }

    private void start(AccessTokens tokens) {
        HealthCheck healthy = new HealthCheck() {
            @Override
            public boolean isLive() {
                return true;
            }

            @Override
            public boolean isReady() {
                return true;
            }
        };
        server = HttpService.start(
                "probe", new ProbeConfig(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), healthy, c -> {
                    c.routes.get("/metrics-read/{metric}", ctx -> {
                        Caller caller = tokens.check(ctx, Scope.METRICS_READ);
                        caller.requireMetric(ctx.pathParam("metric"));
                        ctx.result(caller.name());
                    });
                    c.routes.get(
                            "/admin",
                            ctx -> ctx.result(tokens.require(ctx, Scope.ADMIN).name()));
                });
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachTokenGetsItsScopesAndNoOthersAndAnswersNameTheScopeNeverTheToken() throws Exception {
        start(AccessTokens.parse(ENTRIES, Map.of(), false));

        assertThat(get("/metrics-read/signups", "Bearer dash-token").body()).isEqualTo("dashboard");
        HttpResponse<String> noScope = get("/admin", "Bearer dash-token");
        assertThat(noScope.statusCode()).isEqualTo(403);
        assertThat(noScope.body()).contains("missing_scope").contains("admin").doesNotContain("dash-token");
        assertThat(get("/admin", "Bearer ops-token").body()).isEqualTo("ops");
        assertThat(get("/metrics-read/signups", "Bearer ops-token").statusCode())
                .isEqualTo(403);

        assertThat(get("/metrics-read/revenue", "Bearer fin-token").body()).isEqualTo("finance");
        HttpResponse<String> otherMetric = get("/metrics-read/signups", "Bearer fin-token");
        assertThat(otherMetric.statusCode()).isEqualTo(403);
        assertThat(otherMetric.body()).contains("metric_not_granted").contains("revenue");

        assertThat(get("/admin", null).statusCode()).isEqualTo(401);
        assertThat(get("/admin", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/admin", "Basic " + java.util.Base64.getEncoder().encodeToString("key:".getBytes()))
                        .statusCode())
                .as("a write key grants nothing here")
                .isEqualTo(403);
        assertThat(get("/admin", "Bearer sha256:" + AccessTokens.sha256("ops-token"))
                        .statusCode())
                .as("knowing a configured hash is not knowing the token")
                .isEqualTo(401);
    }

    @Test
    void withoutTokensReadsAreOpenAndAdminIsRefused() throws Exception {
        start(AccessTokens.parse("", Map.of(), false));

        assertThat(get("/metrics-read/signups", null).body()).isEqualTo("anonymous");
        HttpResponse<String> admin = get("/admin", null);
        assertThat(admin.statusCode()).isEqualTo(403);
        assertThat(admin.body()).contains("SIGHTLINE_ACCESS_TOKENS");
    }

    @Test
    void aScopeWithoutTokensStaysOpenForReadsWhileOtherScopesHaveThem() throws Exception {
        start(AccessTokens.parse("ops=ops-token@admin", Map.of(), false));

        assertThat(get("/metrics-read/signups", null).body()).isEqualTo("anonymous");
        assertThat(get("/admin", null).statusCode()).isEqualTo(401);
        assertThat(get("/admin", "Bearer ops-token").body()).isEqualTo("ops");
    }

    @Test
    void olderPerScopeTokensKeepWorkingUnderTheSettingsName() throws Exception {
        start(AccessTokens.parse(
                "", Map.of("admin", new AccessTokens.LegacyTokens(Set.of("legacy"), Set.of(Scope.ADMIN))), false));

        assertThat(get("/admin", "Bearer legacy").body()).isEqualTo("admin");
    }

    @Test
    void aBadEntryIsNamedByPositionAndNameAndItsTokenIsNeverShown() {
        assertThatThrownBy(() -> AccessTokens.parse("a=t1@metrics:read; b=s3cr3t@metric:read", Map.of(), false))
                .hasMessageContaining("entry 2 ('b')")
                .hasMessageContaining("unknown scope 'metric:read'")
                .hasMessageContaining("metrics:read, quality:read, users:read, admin")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> AccessTokens.parse("a=s3cr3t", Map.of(), false))
                .hasMessageContaining("<name>=<token>@<scope>")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> AccessTokens.parse("a=t1@admin;a=t2@admin", Map.of(), false))
                .hasMessageContaining("unique");
        assertThatThrownBy(() -> AccessTokens.parse("a=s3cr3t@admin[x]", Map.of(), false))
                .hasMessageContaining("only metrics:read")
                .hasMessageNotContaining("s3cr3t");
    }
}
