package io.sightline.schemas.registry;

import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A registry held in memory with the same rules as the real one; for topology tests,
 * where {@code TopologyTestDriver} runs without any server.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private final RegistryState state = new RegistryState();

    @Override
    public synchronized int register(String subject, Schema schema) {
        RegistryState.Plan plan = state.plan(subject, schema);
        if (plan.isNew()) {
            state.apply(plan.registered());
        }
        return plan.registered().id();
    }

    @Override
    public synchronized Schema getById(int id) {
        return state.schemaById(id).orElseThrow(() -> SchemaRegistryException.schemaNotFound(id));
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        return state.lookup(subject, schema);
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
        var versions = state.versions(subject);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return state.incompatibilities(subject, schema).isEmpty();
    }
}
