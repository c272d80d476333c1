package io.sightline.schemas.registry;

import io.sightline.schemas.registry.SchemaRegistryClient.RegisteredSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The registry's data model, the same rules as Confluent's: a global id per distinct
 * schema (shared across subjects), versions 1, 2, ... per subject, and a compatibility
 * level globally and per subject. Registration is split into {@link #plan} and
 * {@link #apply} so that a durable registry can persist a change before it becomes
 * visible. Not thread-safe: callers serialize access.
 */
public final class RegistryState {

    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonical = new HashMap<>();
    private final Map<String, List<RegisteredSchema>> versionsBySubject = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    /**
     * What registering {@code schema} under {@code subject} would produce: the existing
     * version when the subject already holds it ({@code isNew == false}), else the next
     * version, checked against the subject's compatibility level.
     *
     * @throws SchemaRegistryException 409 when incompatible
     */
    public Plan plan(String subject, Schema schema) {
        Optional<RegisteredSchema> existing = lookup(subject, schema);
        if (existing.isPresent()) {
            return new Plan(existing.get(), false);
        }
        List<String> problems = level(subject).incompatibilities(schema, schemas(subject));
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(
                    409,
                    SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject '" + subject + "' ("
                            + level(subject) + "): " + String.join("; ", problems));
        }
        Integer id = idsByCanonical.get(canonical(schema));
        int nextId = id != null ? id : maxId + 1;
        List<RegisteredSchema> versions = versionsBySubject.getOrDefault(subject, List.of());
        int nextVersion =
                versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        return new Plan(new RegisteredSchema(subject, nextVersion, nextId, schema), true);
    }

    /** Makes a registration visible; replaying the same registration again is harmless. */
    public void apply(RegisteredSchema registered) {
        schemasById.putIfAbsent(registered.id(), registered.schema());
        idsByCanonical.putIfAbsent(canonical(registered.schema()), registered.id());
        maxId = Math.max(maxId, registered.id());
        List<RegisteredSchema> versions =
                versionsBySubject.computeIfAbsent(registered.subject(), s -> new ArrayList<>());
        if (versions.stream().noneMatch(v -> v.version() == registered.version())) {
            versions.add(registered);
            versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
        }
    }

    public void applyLevel(String subjectOrNull, CompatibilityLevel level) {
        if (subjectOrNull == null) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subjectOrNull);
        } else {
            subjectLevels.put(subjectOrNull, level);
        }
    }

    public Optional<Schema> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        String canonical = canonical(schema);
        return versionsBySubject.getOrDefault(subject, List.of()).stream()
                .filter(v -> canonical(v.schema()).equals(canonical))
                .findFirst();
    }

    public List<String> subjects() {
        return List.copyOf(versionsBySubject.keySet());
    }

    public List<RegisteredSchema> versions(String subject) {
        return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
    }

    public List<String> subjectsOf(int id) {
        List<String> subjects = new ArrayList<>();
        versionsBySubject.forEach((subject, versions) -> {
            if (versions.stream().anyMatch(v -> v.id() == id)) {
                subjects.add(subject);
            }
        });
        return subjects;
    }

    public CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    public Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public CompatibilityLevel level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** Problems that registering {@code schema} under {@code subject} would meet; empty when compatible. */
    public List<String> incompatibilities(String subject, Schema schema) {
        return level(subject).incompatibilities(schema, schemas(subject));
    }

    private List<Schema> schemas(String subject) {
        return versionsBySubject.getOrDefault(subject, List.of()).stream()
                .map(RegisteredSchema::schema)
                .toList();
    }

    /** Parsing Canonical Form: the same schema written with other whitespace or docs gets the same id. */
    private static String canonical(Schema schema) {
        return org.apache.avro.SchemaNormalization.toParsingForm(schema);
    }

    /** The outcome of {@link #plan}: the registration, and whether it still has to be applied. */
    public record Plan(RegisteredSchema registered, boolean isNew) {}
}
