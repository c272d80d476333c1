package io.sightline.ingest.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters of the tracking API, each registered once and looked up by its
 * tags after that: building and registering meters per request showed in profiles.
 */
public final class IntakeMetrics {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> events = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> clockCorrections = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, DistributionSummary> requestBytes = new ConcurrentHashMap<>();

    public IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Events by source, outcome (accepted, rejected, rate_limited, unavailable, dead_letter_failed) and reason. */
    public void events(String source, String outcome, String reason, int n) {
        events.computeIfAbsent(
                        source + ' ' + outcome + ' ' + reason,
                        k -> Counter.builder("sightline.ingest.events")
                                .description("Events received by the gateway, by outcome")
                                .tag("source", source)
                                .tag("outcome", outcome)
                                .tag("reason", reason)
                                .register(registry))
                .increment(n);
    }

    /** An event whose time was corrected for a device clock off by more than a second ({@code ahead} or {@code behind}). */
    public void clockCorrection(String source, String direction) {
        clockCorrections
                .computeIfAbsent(
                        source + ' ' + direction,
                        k -> Counter.builder("sightline.ingest.clock.corrections")
                                .description(
                                        "Events whose time the gateway corrected for a device clock more than a second off (sentAt vs receivedAt)")
                                .tag("source", source)
                                .tag("direction", direction)
                                .register(registry))
                .increment();
    }

    /** A request's duration by endpoint and answered status. */
    public void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent(
                        endpoint + ' ' + status,
                        k -> Timer.builder("sightline.ingest.requests")
                                .description("Tracking API requests by endpoint and answered status")
                                .tag("endpoint", endpoint)
                                .tag("status", Integer.toString(status))
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(1))
                                .maximumExpectedValue(Duration.ofSeconds(30))
                                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request body's size as sent ({@code wire}) and after decompression ({@code decoded}). */
    public void requestBytes(String encoding, long wireBytes, long decodedBytes) {
        requestBytes(encoding, "wire").record(wireBytes);
        requestBytes(encoding, "decoded").record(decodedBytes);
    }

    private DistributionSummary requestBytes(String encoding, String stage) {
        return requestBytes.computeIfAbsent(
                encoding + ' ' + stage,
                k -> DistributionSummary.builder("sightline.ingest.request.bytes")
                        .description("Request body bytes, as sent and after decompression")
                        .baseUnit("bytes")
                        .tag("encoding", encoding)
                        .tag("stage", stage)
                        .register(registry));
    }
}
