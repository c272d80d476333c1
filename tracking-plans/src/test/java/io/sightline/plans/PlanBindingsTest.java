package io.sightline.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanBindingsTest {

    final PlanBindings bindings = PlanBindings.parse(
            List.of("web=shop", " ios = app "),
            List.of(
                    "*=flag",
                    "unplanned_event=block",
                    "web:*=allow",
                    "web:type_mismatch=block",
                    "ios:additional_property=omit"));

    @Test
    void theMostSpecificEntryWins() {
        assertThat(bindings.mode("web", ViolationType.TYPE_MISMATCH)).isEqualTo(Mode.BLOCK);
        assertThat(bindings.mode("web", ViolationType.UNPLANNED_EVENT)).isEqualTo(Mode.ALLOW);
        assertThat(bindings.mode("ios", ViolationType.ADDITIONAL_PROPERTY)).isEqualTo(Mode.OMIT);
        assertThat(bindings.mode("ios", ViolationType.UNPLANNED_EVENT)).isEqualTo(Mode.BLOCK);
        assertThat(bindings.mode("ios", ViolationType.CONSTRAINT)).isEqualTo(Mode.FLAG);
    }

    @Test
    void sourcesNameTheirPlans() {
        assertThat(bindings.planOf("web")).isEqualTo("shop");
        assertThat(bindings.planOf("ios")).isEqualTo("app");
        assertThat(bindings.planOf("android")).isNull();
    }

    @Test
    void withoutEntriesEverythingIsFlagged() {
        assertThat(PlanBindings.parse(List.of(), List.of()).mode("any", ViolationType.CONSTRAINT))
                .isEqualTo(Mode.FLAG);
    }

    @Test
    void omitForAllTypesFallsBackToFlagWhereNothingCanBeOmitted() {
        PlanBindings omitAll = PlanBindings.parse(List.of(), List.of("*=omit"));
        assertThat(omitAll.mode("s", ViolationType.REQUIRED_MISSING)).isEqualTo(Mode.FLAG);
        assertThat(omitAll.mode("s", ViolationType.TYPE_MISMATCH)).isEqualTo(Mode.OMIT);
    }

    @Test
    void badEntriesAreRefusedNamingThem() {
        assertThatThrownBy(() -> PlanBindings.parse(List.of("web"), List.of()))
                .hasMessageContaining("'web' is not source=plan");
        assertThatThrownBy(() -> PlanBindings.parse(List.of(), List.of("typo_mismatch=block")))
                .hasMessageContaining("type_mismatch");
        assertThatThrownBy(() -> PlanBindings.parse(List.of(), List.of("web:constraint=drop")))
                .hasMessageContaining("allow, flag, omit, block");
        assertThatThrownBy(() -> PlanBindings.parse(List.of(), List.of("required_missing=omit")))
                .hasMessageContaining("nothing to omit");
    }
}
