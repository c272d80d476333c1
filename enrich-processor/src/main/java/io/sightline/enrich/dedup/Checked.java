package io.sightline.enrich.dedup;

import io.sightline.schemas.avro.TrackedEvent;

/**
 * A raw event after the business-rule checks: either accepted, or rejected with a
 * reason and the coordinates it came from (for its dead letter).
 */
public record Checked(TrackedEvent event, String rejectCode, String rejectText,
                      String topic, Integer partition, Long offset) {

    public static Checked accepted(TrackedEvent event) {
        return new Checked(event, null, null, null, null, null);
    }

    public boolean rejected() {
        return rejectCode != null;
    }
}
