package io.sightline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class RegistryStateTest {

    private static final Schema V1 = parse("""
            {"type":"record","name":"User","fields":[{"name":"id","type":"string"}]}""");
    private static final Schema V2_WITH_DEFAULT = parse("""
            {"type":"record","name":"User","fields":[{"name":"id","type":"string"},
             {"name":"plan","type":"string","default":"free"}]}""");
    private static final Schema V2_WITHOUT_DEFAULT = parse("""
            {"type":"record","name":"User","fields":[{"name":"id","type":"string"},
             {"name":"plan","type":"string"}]}""");

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void shouldGiveTheSameIdWhenTheSameSchemaIsRegisteredAgain() {
        int first = registry.register("users-value", V1);
        int again = registry.register("users-value", V1);
        int otherSubject = registry.register("people-value", V1);

        assertThat(again).isEqualTo(first);
        assertThat(otherSubject).isEqualTo(first);
        assertThat(registry.latest("users-value"))
                .get()
                .extracting(r -> r.version())
                .isEqualTo(1);
    }

    @Test
    void shouldAcceptABackwardCompatibleEvolutionAsTheNextVersion() {
        registry.register("users-value", V1);

        int id = registry.register("users-value", V2_WITH_DEFAULT);

        assertThat(id).isEqualTo(2);
        assertThat(registry.latest("users-value"))
                .get()
                .extracting(r -> r.version())
                .isEqualTo(2);
        assertThat(registry.getById(1)).isEqualTo(V1);
    }

    @Test
    void shouldRejectAFieldAddedWithoutDefaultUnderBackwardCompatibility() {
        registry.register("users-value", V1);

        assertThat(registry.isCompatible("users-value", V2_WITHOUT_DEFAULT)).isFalse();
        assertThatThrownBy(() -> registry.register("users-value", V2_WITHOUT_DEFAULT))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("incompatible")
                .hasMessageContaining("plan")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void shouldAllowAnyChangeWhenTheSubjectLevelIsNone() {
        RegistryState state = new RegistryState();
        state.apply(state.plan("users-value", V1).registered());
        state.applyLevel("users-value", CompatibilityLevel.NONE);

        RegistryState.Plan plan = state.plan("users-value", V2_WITHOUT_DEFAULT);

        assertThat(plan.isNew()).isTrue();
        assertThat(plan.registered().version()).isEqualTo(2);
    }

    @Test
    void shouldNameTheValidLevelsWhenALevelIsUnknown() {
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .hasMessageContaining("SIDEWAYS")
                .hasMessageContaining("BACKWARD_TRANSITIVE");
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
