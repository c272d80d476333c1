package io.sightline.ingest.catalog;

import io.sightline.common.concurrent.DaemonScheduler;
import io.sightline.ingest.kafka.EventProducer;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the {@link CatalogObserver}'s deltas to {@code quality.observations.v1} every
 * interval, and once more on close. A report Kafka did not take is repeated in the next.
 */
public final class CatalogReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogReporter.class);

    private final CatalogObserver observer;
    private final EventProducer producer;
    private final ScheduledExecutorService scheduler = DaemonScheduler.singleThread("catalog-reporter");

    public CatalogReporter(CatalogObserver observer, EventProducer producer, Duration interval) {
        this.observer = observer;
        this.producer = producer;
        scheduler.scheduleWithFixedDelay(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void report() {
        try {
            CatalogObserver.Report report = observer.drain();
            if (!report.deltas().isEmpty()) {
                producer.sendObservationsAndAwait(report.deltas());
                report.acknowledge().run();
            }
        } catch (RuntimeException e) {
            log.warn("event catalog report not stored, repeated in the next one: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        report();
    }
}
