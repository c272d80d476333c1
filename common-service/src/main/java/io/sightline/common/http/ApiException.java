package io.sightline.common.http;

import java.util.List;
import java.util.Map;

/**
 * An error answered as Sightline's JSON envelope:
 * {@code {"code": "...", "message": "...", "details": [...]}}. Throw it from a handler.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final List<Map<String, Object>> details;
    private final Map<String, String> headers;

    public ApiException(
            int status, String code, String message, List<Map<String, Object>> details, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
        this.headers = headers;
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, List.of(), Map.of());
    }

    /** 400 {@code invalid_parameter}, naming the query parameter to fix in {@code details[].parameter}. */
    public static ApiException invalidParameter(String parameter, String message) {
        return new ApiException(400, "invalid_parameter", message, List.of(Map.of("parameter", parameter)), Map.of());
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException unavailable(String message, int retryAfterSeconds) {
        return new ApiException(
                503, "unavailable", message, List.of(), Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<Map<String, Object>> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
