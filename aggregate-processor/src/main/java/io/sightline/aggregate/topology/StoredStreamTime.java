package io.sightline.aggregate.topology;

import java.nio.charset.StandardCharsets;

/**
 * A task's stream time, kept in its window store under {@link #KEY} (which sorts after
 * every window key), so that after a restart lateness is judged as it was before.
 */
final class StoredStreamTime {

    static final String KEY = "~stream-time";

    private StoredStreamTime() {}

    /** The stored stream time, or {@code Long.MIN_VALUE} if none was stored. */
    static long decode(byte[] stored) {
        return stored == null ? Long.MIN_VALUE : Long.parseLong(new String(stored, StandardCharsets.US_ASCII));
    }

    static byte[] encode(long streamTime) {
        return Long.toString(streamTime).getBytes(StandardCharsets.US_ASCII);
    }
}
