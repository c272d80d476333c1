package io.sightline.ingest.validation;

import io.sightline.schemas.avro.TrackedEvent;

/** The outcome of validating one event: the Avro record, or why it was rejected. Exactly one is set. */
public record ParsedEvent(TrackedEvent event, ValidationError error, String messageId) {

    public static ParsedEvent accepted(TrackedEvent event) {
        return new ParsedEvent(event, null, event.getMessageId());
    }

    public static ParsedEvent rejected(ValidationError error, String messageId) {
        return new ParsedEvent(null, error, messageId);
    }

    public boolean isAccepted() {
        return event != null;
    }
}
