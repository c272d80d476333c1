package io.sightline.common.http;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a token may do. Write keys ({@code ingest}, per source) are the SDKs' credentials
 * and are checked by the gateway's intake, not here.
 */
public enum Scope {
    /** Metric windows, funnels, alerts and the live stream of the serving API; may be limited to named metrics. */
    METRICS_READ("metrics:read"),
    /** Data quality: rejects, tracking-plan violations, the event catalog. */
    QUALITY_READ("quality:read"),
    /** Anything that returns per-user rows or personal data. */
    USERS_READ("users:read"),
    /** Tracking plans, regulations, retention and the audit log. */
    ADMIN("admin");

    private final String label;

    Scope(String label) {
        this.label = label;
    }

    /** The scope's name in configuration and answers: {@code metrics:read}, ... */
    public String label() {
        return label;
    }

    public static Optional<Scope> of(String label) {
        return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
    }

    /** Every scope's name, for error messages. */
    public static String labels() {
        return Arrays.stream(values()).map(Scope::label).collect(Collectors.joining(", "));
    }
}
