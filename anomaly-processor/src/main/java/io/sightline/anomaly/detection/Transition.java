package io.sightline.anomaly.detection;

import io.sightline.schemas.avro.AlertStatus;

/**
 * An alert state change decided by {@link SeriesEngine}: which rule, firing (first or
 * re-notified) or resolved, on the evaluation of which window.
 *
 * @param endsAt   end of the alert when resolved, else null
 * @param revision the window had been judged already, and late events revised it into an anomaly
 */
public record Transition(
        String rule,
        AlertStatus status,
        Evaluation evaluation,
        long windowStart,
        long startsAt,
        Long endsAt,
        String severity,
        boolean renotification,
        boolean revision) {}
