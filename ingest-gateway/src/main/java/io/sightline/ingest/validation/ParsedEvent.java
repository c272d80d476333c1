package io.sightline.ingest.validation;

import io.sightline.plans.Violation;
import io.sightline.schemas.avro.TrackedEvent;
import java.util.List;

/**
 * The outcome of validating one event: the Avro record, or why it was rejected. At most
 * one of event and error is set (neither for a suppressed subject's event); violations are the tracking-plan violations that
 * blocked it, if that is why.
 */
public record ParsedEvent(TrackedEvent event, ValidationError error, String messageId, List<Violation> violations) {

    public static ParsedEvent accepted(TrackedEvent event) {
        return new ParsedEvent(event, null, event.getMessageId(), List.of());
    }

    public static ParsedEvent rejected(ValidationError error, String messageId) {
        return new ParsedEvent(null, error, messageId, List.of());
    }

    /** Blocked by its source's tracking plan; {@code path} prefixes field paths ("" or {@code "batch[3]."}). */
    public static ParsedEvent blocked(String path, String messageId, List<Violation> violations) {
        StringBuilder message = new StringBuilder();
        for (Violation v : violations) {
            message.append(message.length() == 0 ? "" : "; ").append(v.message());
        }
        return new ParsedEvent(
                null,
                new ValidationError(
                        path + violations.get(0).path(), ErrorCode.TRACKING_PLAN_VIOLATION, message.toString()),
                messageId,
                List.copyOf(violations));
    }

    /**
     * Of a suppressed data subject: answered as accepted, so SDKs do not retry it, and
     * written nowhere (no event, no error).
     */
    public static ParsedEvent suppressed(String messageId) {
        return new ParsedEvent(null, null, messageId, List.of());
    }

    /** Accepted, or suppressed: answered as accepted either way. */
    public boolean isAccepted() {
        return error == null;
    }
}
