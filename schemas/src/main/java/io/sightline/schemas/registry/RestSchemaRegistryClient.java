package io.sightline.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * Client for the Confluent Schema Registry REST API (Confluent, Apicurio ccompat,
 * Karapace, Redpanda). Successful answers are cached so that after the first record
 * of each schema the hot path never calls the registry; ids are immutable, so the
 * caches never need invalidation and are bounded by the number of schemas in use.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String authorization;

    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentMap<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    /**
     * @param baseUrl        registry root, e.g. {@code http://localhost:8090}
     * @param basicAuthUser  {@code user:password} for HTTP Basic auth, or null
     */
    public RestSchemaRegistryClient(String baseUrl, String basicAuthUser, Duration requestTimeout) {
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.baseUri = URI.create(trimmed);
        if (baseUri.getScheme() == null || baseUri.getHost() == null) {
            throw new IllegalArgumentException(
                    "schema registry URL must be absolute, e.g. http://localhost:8090; got '" + baseUrl + "'");
        }
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
        this.authorization = basicAuthUser == null || basicAuthUser.isBlank()
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUser.getBytes(StandardCharsets.UTF_8));
    }

    public RestSchemaRegistryClient(String baseUrl) {
        this(baseUrl, null, Duration.ofSeconds(10));
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), k -> {
            JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
            int id = answer.path("id").asInt();
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public Schema getById(int id) {
        return schemasById.computeIfAbsent(id, k -> {
            JsonNode answer = send("GET", "/schemas/ids/" + id, null);
            return new Schema.Parser().parse(answer.path("schema").asText());
        });
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        try {
            JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
            return Optional.of(toRegistered(answer));
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        try {
            return Optional.of(toRegistered(send("GET", "/subjects/" + encode(subject) + "/versions/latest", null)));
        } catch (SchemaRegistryException e) {
            if (e.httpStatus() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode answer =
                    send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
            return answer.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
                return true; // nothing registered yet: anything is compatible
            }
            throw e;
        }
    }

    private RegisteredSchema toRegistered(JsonNode answer) {
        Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
        int id = answer.path("id").asInt();
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(
                answer.path("subject").asText(), answer.path("version").asInt(), id, schema);
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SchemaRegistryException(
                    "Schema registry at " + baseUri + " is unreachable (" + e + "); check SCHEMA_REGISTRY_URL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while calling the schema registry at " + baseUri, e);
        }
        JsonNode json;
        try {
            json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException(
                    response.statusCode(),
                    SchemaRegistryException.STORE_ERROR,
                    "Schema registry at " + baseUri + " answered " + method + " " + path + " with non-JSON (status "
                            + response.statusCode() + ")");
        }
        if (response.statusCode() / 100 != 2) {
            int code = json.path("error_code").asInt(response.statusCode());
            String message = json.path("message").asText("HTTP " + response.statusCode());
            throw new SchemaRegistryException(
                    response.statusCode(),
                    code,
                    "Schema registry " + method + " " + path + " failed: " + message + " (error " + code + ")");
        }
        return json;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
