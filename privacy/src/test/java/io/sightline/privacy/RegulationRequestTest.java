package io.sightline.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectType;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class RegulationRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void readsSegmentsShapeAndDropsRepeatedIds() throws Exception {
        RegulationRequest request = RegulationRequest.parse(
                body(
                        "{\"regulationType\":\"SUPPRESS_WITH_DELETE\",\"subjectType\":\"ANONYMOUS_ID\",\"subjectIds\":[\"a\",\"b\",\"a\"]}"));

        assertThat(request.regulationType()).isEqualTo(RegulationType.SUPPRESS_WITH_DELETE);
        assertThat(request.subjectType()).isEqualTo(SubjectType.ANONYMOUS_ID);
        assertThat(request.subjectIds()).containsExactly("a", "b");
    }

    @Test
    void namesTheFieldToFixAndNeverTheId() {
        assertThatThrownBy(() -> RegulationRequest.parse(
                        body("{\"regulationType\":\"suppress\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\"a\"]}")))
                .isInstanceOfSatisfying(
                        InvalidRegulationException.class,
                        e -> assertThat(e.field()).isEqualTo("regulationType"));
        assertThatThrownBy(
                        () -> RegulationRequest.parse(body("{\"regulationType\":\"SUPPRESS\",\"subjectIds\":[\"a\"]}")))
                .isInstanceOfSatisfying(
                        InvalidRegulationException.class,
                        e -> assertThat(e.field()).isEqualTo("subjectType"));
        assertThatThrownBy(() ->
                        RegulationRequest.parse(body("{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\"}")))
                .isInstanceOfSatisfying(
                        InvalidRegulationException.class,
                        e -> assertThat(e.field()).isEqualTo("subjectIds"));
        assertThatThrownBy(() -> RegulationRequest.parse(body(
                        "{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\"ok\",\"\"]}")))
                .isInstanceOfSatisfying(
                        InvalidRegulationException.class,
                        e -> assertThat(e.field()).isEqualTo("subjectIds[1]"));
        assertThatThrownBy(() -> RegulationRequest.parse(
                        body("{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\""
                                + "x".repeat(257) + "\"]}")))
                .isInstanceOfSatisfying(
                        InvalidRegulationException.class,
                        e -> assertThat(e.getMessage()).doesNotContain("xxx"));
        assertThatThrownBy(
                        () -> RegulationRequest.parse(
                                body(
                                        "{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":[\"a\"],\"workspace\":\"w\"}")))
                .isInstanceOfSatisfying(
                        InvalidRegulationException.class,
                        e -> assertThat(e.field()).isEqualTo("workspace"));
        String tooMany = "{\"regulationType\":\"SUPPRESS\",\"subjectType\":\"USER_ID\",\"subjectIds\":["
                + String.join(",", Collections.nCopies(RegulationRequest.MAX_SUBJECTS + 1, "\"x\"")) + "]}";
        assertThatThrownBy(() -> RegulationRequest.parse(body(tooMany))).hasMessageContaining("at most 5000");
    }
}
