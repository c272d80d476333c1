package io.sightline.schemas.registry;

import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry REST API that Sightline uses.
 * Implementations must be thread-safe.
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id; {@link SchemaRegistryException} with 40403 when unknown. */
    Schema getById(int id);

    /** The version of {@code subject} that holds exactly this schema, if any. */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /** The newest version registered under {@code subject}, if any. */
    Optional<RegisteredSchema> latest(String subject);

    /** Whether {@code schema} may be registered under {@code subject} given its compatibility level. */
    boolean isCompatible(String subject, Schema schema);

    /** A schema as registered: subject, version, global id. */
    record RegisteredSchema(String subject, int version, int id, Schema schema) {}

    /** Conventional subject of a topic's record values (Confluent's TopicNameStrategy). */
    static String valueSubject(String topic) {
        return topic + "-value";
    }
}
