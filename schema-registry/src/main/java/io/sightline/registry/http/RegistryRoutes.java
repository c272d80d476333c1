package io.sightline.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Json;
import io.sightline.registry.storage.KafkaSchemaStore;
import io.sightline.schemas.registry.CompatibilityLevel;
import io.sightline.schemas.registry.SchemaRegistryClient.RegisteredSchema;
import io.sightline.schemas.registry.SchemaRegistryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The Confluent Schema Registry REST API subset Sightline needs: subjects, versions,
 * ids, lookup, compatibility checks and {@code /config}. Errors use the registry's own
 * envelope, {@code {"error_code": 40401, "message": "..."}}, so Confluent clients
 * understand them.
 */
public final class RegistryRoutes {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final KafkaSchemaStore store;

    public RegistryRoutes(KafkaSchemaStore store) {
        this.store = store;
    }

    public void addTo(JavalinConfig config) {
        config.routes.exception(
                SchemaRegistryException.class,
                (e, ctx) -> answer(
                        ctx,
                        e.httpStatus() > 0 ? e.httpStatus() : 500,
                        Map.of("error_code", e.errorCode(), "message", e.getMessage())));
        config.routes.get("/", ctx -> answer(ctx, 200, Map.of()));
        config.routes.get("/subjects", ctx -> answer(ctx, 200, store.read(s -> s.subjects())));
        config.routes.get("/subjects/{subject}/versions", ctx -> {
            String subject = ctx.pathParam("subject");
            List<Integer> versions = store.read(s -> s.versions(subject)).stream()
                    .map(RegisteredSchema::version)
                    .toList();
            if (versions.isEmpty()) {
                throw SchemaRegistryException.subjectNotFound(subject);
            }
            answer(ctx, 200, versions);
        });
        config.routes.get("/subjects/{subject}/versions/{version}", ctx -> answer(ctx, 200, describe(version(ctx))));
        config.routes.get(
                "/subjects/{subject}/versions/{version}/schema",
                ctx -> ctx.contentType(CONTENT_TYPE)
                        .result(version(ctx).schema().toString()));
        config.routes.post("/subjects/{subject}/versions", ctx -> {
            RegisteredSchema registered = store.register(ctx.pathParam("subject"), schemaFrom(ctx));
            answer(ctx, 200, Map.of("id", registered.id()));
        });
        config.routes.post("/subjects/{subject}", ctx -> {
            String subject = ctx.pathParam("subject");
            Schema schema = schemaFrom(ctx);
            if (store.read(s -> s.versions(subject)).isEmpty()) {
                throw SchemaRegistryException.subjectNotFound(subject);
            }
            RegisteredSchema found = store.read(s -> s.lookup(subject, schema))
                    .orElseThrow(() -> new SchemaRegistryException(
                            404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found"));
            answer(ctx, 200, describe(found));
        });
        config.routes.get("/schemas/ids/{id}", ctx -> {
            int id = intParam(ctx, "id");
            Schema schema = store.schemaById(id).orElseThrow(() -> SchemaRegistryException.schemaNotFound(id));
            answer(ctx, 200, Map.of("schema", schema.toString()));
        });
        config.routes.get("/schemas/ids/{id}/versions", ctx -> {
            int id = intParam(ctx, "id");
            store.schemaById(id).orElseThrow(() -> SchemaRegistryException.schemaNotFound(id));
            answer(
                    ctx,
                    200,
                    store.read(s -> s.subjects().stream()
                            .flatMap(subject -> s.versions(subject).stream())
                            .filter(v -> v.id() == id)
                            .map(v -> Map.of("subject", v.subject(), "version", v.version()))
                            .toList()));
        });
        config.routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> {
            String subject = ctx.pathParam("subject");
            Schema schema = schemaFrom(ctx);
            List<String> problems = store.read(s -> s.incompatibilities(subject, schema));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("is_compatible", problems.isEmpty());
            if ("true".equals(ctx.queryParam("verbose"))) {
                body.put("messages", problems);
            }
            answer(ctx, 200, body);
        });
        config.routes.get(
                "/config",
                ctx -> answer(
                        ctx,
                        200,
                        Map.of(
                                "compatibilityLevel",
                                store.read(s -> s.globalLevel()).name())));
        config.routes.put("/config", ctx -> {
            CompatibilityLevel level = levelFrom(ctx);
            store.setLevel(null, level);
            answer(ctx, 200, Map.of("compatibility", level.name()));
        });
        config.routes.get("/config/{subject}", ctx -> {
            String subject = ctx.pathParam("subject");
            CompatibilityLevel level = store.read(s -> s.subjectLevel(subject)).orElseGet(() -> {
                if ("true".equals(ctx.queryParam("defaultToGlobal"))) {
                    return store.read(s -> s.globalLevel());
                }
                throw new SchemaRegistryException(
                        404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
            });
            answer(ctx, 200, Map.of("compatibilityLevel", level.name()));
        });
        config.routes.put("/config/{subject}", ctx -> {
            CompatibilityLevel level = levelFrom(ctx);
            store.setLevel(ctx.pathParam("subject"), level);
            answer(ctx, 200, Map.of("compatibility", level.name()));
        });
    }

    private RegisteredSchema version(Context ctx) {
        String subject = ctx.pathParam("subject");
        String version = ctx.pathParam("version");
        List<RegisteredSchema> versions = store.read(s -> s.versions(subject));
        if (versions.isEmpty()) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        if ("latest".equals(version) || "-1".equals(version)) {
            return versions.get(versions.size() - 1);
        }
        int wanted;
        try {
            wanted = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(
                    422,
                    SchemaRegistryException.INVALID_VERSION,
                    "The specified version '" + version
                            + "' is not a valid version id; use a positive integer or 'latest'");
        }
        return versions.stream()
                .filter(v -> v.version() == wanted)
                .findFirst()
                .orElseThrow(() -> new SchemaRegistryException(
                        404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + wanted + " not found."));
    }

    private static Map<String, Object> describe(RegisteredSchema r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", r.subject());
        body.put("version", r.version());
        body.put("id", r.id());
        body.put("schema", r.schema().toString());
        return body;
    }

    private static Schema schemaFrom(Context ctx) {
        JsonNode body = body(ctx);
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException(
                    422,
                    SchemaRegistryException.INVALID_SCHEMA,
                    "Schema type " + type + " is not supported; this registry holds AVRO schemas only");
        }
        if (!body.path("schema").isTextual()) {
            throw new SchemaRegistryException(
                    422,
                    SchemaRegistryException.INVALID_SCHEMA,
                    "Request body needs a 'schema' field holding the schema as a JSON string");
        }
        try {
            return new Schema.Parser().parse(body.path("schema").asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(
                    422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage());
        }
    }

    private static CompatibilityLevel levelFrom(Context ctx) {
        return CompatibilityLevel.parse(body(ctx).path("compatibility").asText(null));
    }

    private static JsonNode body(Context ctx) {
        try {
            return Json.MAPPER.readTree(ctx.body());
        } catch (Exception e) {
            throw new SchemaRegistryException(400, 400, "Request body is not valid JSON: " + e.getMessage());
        }
    }

    private static int intParam(Context ctx, String name) {
        try {
            return Integer.parseInt(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(
                    422, 42202, name + " must be an integer, got '" + ctx.pathParam(name) + "'");
        }
    }

    private static void answer(Context ctx, int status, Object body) {
        HttpService.json(ctx, status, body);
        ctx.contentType(CONTENT_TYPE);
    }
}
