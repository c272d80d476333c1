package io.sightline.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.RegulationState;
import io.sightline.schemas.avro.RegulationStatus;
import io.sightline.schemas.avro.RegulationStep;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.schemas.serde.SightlineClassTrust;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegulationFeedTest {

    private static final Instant T0 = Instant.parse("2026-12-06T13:49:43Z");

    @BeforeAll
    static void trustGeneratedRecords() {
        // Copying a record (its builder) goes through Avro's class checks, as reading a topic does.
        SightlineClassTrust.ensure();
    }

    @Test
    void shouldKeepAnEarlierFinishWhenTheNextIsBuiltOnAStatusReadBeforeItCameBack() {
        RegulationStatus running = RegulationStatus.newBuilder()
                .setRegulationId("r-1")
                .setRegulationType(RegulationType.DELETE_ONLY)
                .setSubjectType(SubjectType.USER_ID)
                .setSubjectCount(1)
                .setRequestedBy("admin")
                .setRequestedAt(T0)
                .setOverallStatus(RegulationState.RUNNING)
                .setSteps(List.of(
                        step("erasure:enrich-processor"),
                        step("erasure:aggregate-processor"),
                        step("erasure:archiver")))
                .setPositions(Map.of("0", 4L))
                .build();
        Map<String, Instant> finished = new HashMap<>();

        RegulationStatus enrichDone = RegulationFeed.withFinishedErasures(
                        running, finished, Set.of("enrich-processor")::contains, T0.plusSeconds(1))
                .orElseThrow();
        // The next receipts arrive before enrichDone is read back: built on the same old status.
        RegulationStatus allDone = RegulationFeed.withFinishedErasures(
                        running, finished, Set.of("aggregate-processor", "archiver")::contains, T0.plusSeconds(2))
                .orElseThrow();

        assertThat(enrichDone.getOverallStatus()).isEqualTo(RegulationState.RUNNING);
        assertThat(allDone.getSteps()).extracting(RegulationStep::getStatus).containsOnly(RegulationState.FINISHED);
        assertThat(allDone.getSteps().get(0).getFinishedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(allDone.getOverallStatus()).isEqualTo(RegulationState.FINISHED);
        assertThat(RegulationFeed.withFinishedErasures(allDone, finished, a -> true, T0.plusSeconds(3)))
                .isEmpty();
    }

    private static RegulationStep step(String name) {
        return new RegulationStep(name, RegulationState.RUNNING, T0, null, null);
    }
}
