package io.sightline.enrich.dedup;

import io.sightline.schemas.avro.TrackedEvent;

/**
 * A raw event after the business-rule checks: accepted, a duplicate (to be counted,
 * not forwarded), or rejected with a reason and the coordinates it came from (for its
 * dead letter).
 */
public record Checked(TrackedEvent event, boolean duplicate, String rejectCode, String rejectText,
                      String topic, Integer partition, Long offset) {

    public static Checked accepted(TrackedEvent event) {
        return new Checked(event, false, null, null, null, null, null);
    }

    public static Checked duplicate(TrackedEvent event) {
        return new Checked(event, true, null, null, null, null, null);
    }

    public static Checked rejected(TrackedEvent event, String code, String text, String topic, Integer partition, Long offset) {
        return new Checked(event, false, code, text, topic, partition, offset);
    }

    public boolean rejected() {
        return rejectCode != null;
    }
}
