package io.sightline.enrich.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.audit.AuditLog;
import io.sightline.common.http.AccessTokens;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.common.http.Scope;
import io.sightline.enrich.topology.EnrichTopology;
import io.sightline.schemas.avro.UserProfile;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /v1/users/{userKey}} (a token with {@code users:read}, always): what the enrich processor holds about
 * one user: the merged profile, the current session, the group, and the devices linked to
 * the user. The instance that owns the user's partition answers (another forwards the
 * request with the caller's token); every call, allowed or refused, is in the audit log.
 * After a deletion it answers 404.
 */
public final class UserRoutes {

    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaStreams streams;
    private final Optional<HostInfo> self;
    private final AccessTokens tokens;
    private final AuditLog audit;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build();

    public UserRoutes(KafkaStreams streams, Optional<HostInfo> self, AccessTokens tokens, AuditLog audit) {
        this.streams = streams;
        this.self = self;
        this.tokens = tokens;
        this.audit = audit;
    }

    public void addTo(JavalinConfig javalin) {
        for (String path : List.of("/v1/users", "/v1/users/*")) {
            // Personal data: never open, even where nothing else asks for a token.
            javalin.routes.before(path, ctx -> tokens.require(ctx, Scope.USERS_READ));
            javalin.routes.after(path, audit::record);
        }
        javalin.routes.get("/v1/users/{userKey}", this::user);
    }

    private void user(Context ctx) {
        String user = ctx.pathParam("userKey");
        boolean forwarded = "true".equals(ctx.queryParam("local"));
        if (!forwarded && self.isPresent()) {
            KeyQueryMetadata owner =
                    streams.queryMetadataForKey(EnrichTopology.PROFILE_STORE, user, new StringSerializer());
            HostInfo active = owner.activeHost();
            if (!active.equals(self.get()) && !active.equals(HostInfo.unavailable())) {
                forward(ctx, active, user);
                return;
            }
        }
        Map<String, Object> data = local(user);
        if (data == null) {
            throw new ApiException(404, "unknown_user", "This pipeline holds nothing about this user");
        }
        HttpService.json(ctx, 200, Map.of("data", data));
    }

    /** What this instance's stores hold about the user; null when nothing. */
    private Map<String, Object> local(String user) {
        UserProfile profile =
                this.<UserProfile>store(EnrichTopology.PROFILE_STORE).get(user);
        String session = this.<String>store(EnrichTopology.SESSION_STORE).get(user);
        String group = this.<String>store(EnrichTopology.GROUP_STORE).get(user);
        List<String> devices = new ArrayList<>();
        try (KeyValueIterator<String, String> links =
                this.<String>store(EnrichTopology.IDENTITY_STORE).all()) {
            links.forEachRemaining(link -> {
                if (user.equals(link.value)) {
                    devices.add(link.key);
                }
            });
        }
        if (profile == null && session == null && group == null && devices.isEmpty()) {
            return null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("userKey", user);
        data.put("profile", profile == null ? null : profile(profile));
        data.put("session", session == null ? null : session(session));
        data.put("groupId", group == null ? null : group.split("\n", 2)[0]);
        data.put("devices", devices);
        return data;
    }

    private static Map<String, Object> profile(UserProfile profile) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("traits", json(profile.getTraits()));
        view.put("updatedAt", profile.getUpdatedAt().toString());
        return view;
    }

    /** A session is kept as {@code <index>|<last activity ms>}. */
    private static Map<String, Object> session(String value) {
        String[] parts = value.split("\\|", 2);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("index", Long.parseLong(parts[0]));
        view.put("lastActivity", Instant.ofEpochMilli(Long.parseLong(parts[1])).toString());
        return view;
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(text);
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /** Asks the instance that owns the user, with the caller's own credentials, and relays its answer. */
    private void forward(Context ctx, HostInfo owner, String user) {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + "/v1/users/"
                + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20") + "?local=true");
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(FORWARD_TIMEOUT).GET();
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        } catch (IOException e) {
            throw ApiException.unavailable(
                    "The instance " + owner + " that holds this user is unreachable; retry shortly", 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("Interrupted while asking " + owner, 2);
        }
    }
}
