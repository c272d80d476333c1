package io.sightline.ingest.validation;

import io.sightline.common.http.ApiException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every reason the tracking API turns a request or an event away, with the HTTP status
 * it is answered with. The wire code ({@link #code()}) is the constant's name in lower
 * case; it is also the {@code reasonCode} of the event's dead letter and the
 * {@code reason} tag of the gateway's meters.
 */
public enum ErrorCode {

    // The request as a whole: answered, never dead-lettered (no source known, or nothing to record).
    MISSING_WRITE_KEY(401),
    UNKNOWN_WRITE_KEY(401),
    REQUEST_TOO_LARGE(413),
    UNSUPPORTED_ENCODING(415),
    INVALID_GZIP(400),
    BATCH_TOO_LARGE(413),
    RATE_LIMITED(429),
    /** Kafka did not acknowledge in time: retry later. */
    UNAVAILABLE(503),
    /** Every event of a batch was rejected; each item says why. */
    ALL_EVENTS_REJECTED(400),

    // One event (or a body that is not JSON): answered with why and recorded as a dead letter.
    INVALID_JSON(400),
    NOT_AN_OBJECT(400),
    MISSING_FIELD(400),
    INVALID_TYPE(400),
    INVALID_VALUE(400),
    INVALID_TIMESTAMP(400),
    INVALID_MESSAGE_ID(400),
    EVENT_TOO_LARGE(413),
    TRACKING_PLAN_VIOLATION(400);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    /** The code in answers, dead letters and meters, for example {@code missing_field}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The HTTP status a request rejected for this reason is answered with. */
    public int status() {
        return status;
    }

    /** The answer for this code: Sightline's JSON error envelope. */
    public ApiException exception(String message, List<Map<String, Object>> details, Map<String, String> headers) {
        return new ApiException(status, code(), message, details, headers);
    }

    public ApiException exception(String message) {
        return exception(message, List.of(), Map.of());
    }
}
