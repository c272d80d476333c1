package io.sightline.enrich.dedup;

import io.sightline.schemas.avro.TrackedEvent;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * A raw event after the business-rule checks: accepted, a duplicate (to be counted,
 * not forwarded), or rejected with a reason and where it was read (for its dead letter).
 */
public record Checked(
        TrackedEvent event, boolean duplicate, String rejectCode, String rejectText, RecordMetadata readFrom) {

    public static Checked accepted(TrackedEvent event) {
        return new Checked(event, false, null, null, null);
    }

    public static Checked duplicate(TrackedEvent event) {
        return new Checked(event, true, null, null, null);
    }

    public static Checked rejected(TrackedEvent event, String code, String text, RecordMetadata readFrom) {
        return new Checked(event, false, code, text, readFrom);
    }

    public boolean rejected() {
        return rejectCode != null;
    }
}
