package io.sightline.common.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.sightline.common.health.HealthCheck;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Kafka Streams topology: start, stop, health and metrics. Readiness is
 * {@code RUNNING}; liveness holds through {@code REBALANCING} and restoration, so an
 * orchestrator does not kill an instance for rebalancing.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

    private final String name;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;

    public StreamsApp(String name, Topology topology, Map<String, Object> properties, MeterRegistry meterRegistry) {
        this.name = name;
        Properties props = new Properties();
        props.putAll(properties);
        this.streams = new KafkaStreams(topology, props);
        this.streams.setStateListener((now, before) -> log.info("{} state {} -> {}", name, before, now));
        // A thread that dies of an unexpected error is replaced; the record that caused
        // it is retried, so nothing is skipped silently.
        this.streams.setUncaughtExceptionHandler(e -> {
            log.error("{} stream thread failed; replacing it", name, e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        this.metrics = new KafkaStreamsMetrics(streams);
        this.metrics.bindTo(meterRegistry);
    }

    public void start() {
        log.info("{} starting", name);
        streams.start();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public State state() {
        return streams.state();
    }

    public HealthCheck health() {
        return new HealthCheck() {
            @Override
            public boolean isLive() {
                State s = streams.state();
                return s == State.CREATED || s == State.REBALANCING || s == State.RUNNING;
            }

            @Override
            public boolean isReady() {
                return streams.state() == State.RUNNING;
            }

            @Override
            public Map<String, Object> details() {
                return Map.of("streamsState", streams.state().name());
            }
        };
    }

    @Override
    public void close() {
        metrics.close();
        if (!streams.close(Duration.ofSeconds(30))) {
            log.warn("{} did not stop within 30 s", name);
        }
    }
}
