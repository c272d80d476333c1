package io.sightline.ingest.plans;

import io.sightline.plans.Violation;
import io.sightline.schemas.avro.QualityViolation;
import java.util.List;

/**
 * What checking one event against its source's plan decided.
 *
 * @param blocked    the event must be dead-lettered, not stored
 * @param violations every violation not allowed by the source's modes, as the producer is told
 * @param records    the same violations for {@code quality.violations.v1}
 * @param planned    whether the source's plan lists the event (false when the source has no plan)
 */
public record PlanCheck(boolean blocked, List<Violation> violations, List<QualityViolation> records, boolean planned) {

    private static final PlanCheck PLANNED = new PlanCheck(false, List.of(), List.of(), true);
    private static final PlanCheck UNPLANNED = new PlanCheck(false, List.of(), List.of(), false);

    /** Nothing to do about the event. */
    public static PlanCheck conforms(boolean planned) {
        return planned ? PLANNED : UNPLANNED;
    }
}
