package io.sightline.testkit;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends records in small batches on a fixed schedule, so a processor under test works
 * on live input, with uncommitted work in flight, whenever it is stopped or killed.
 */
public final class PacedSender {

    private PacedSender() {}

    /**
     * Sends {@code batch} of {@code values} every {@code periodMillis} to {@code topic}, each
     * keyed by {@code key}, waiting for every batch's acknowledgement.
     *
     * @return completes once all are acknowledged, or with the first failure
     */
    public static <V> CompletableFuture<Void> send(
            KafkaProducer<String, V> producer,
            String topic,
            List<V> values,
            Function<V, String> key,
            int batch,
            long periodMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        int from = next.getAndAdd(batch);
                        List<CompletableFuture<Void>> acks =
                                values
                                        .subList(Math.min(from, values.size()), Math.min(from + batch, values.size()))
                                        .stream()
                                        .map(v -> acknowledged(producer, new ProducerRecord<>(topic, key.apply(v), v)))
                                        .toList();
                        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                                .get(30, TimeUnit.SECONDS);
                        if (from + batch >= values.size()) {
                            done.complete(null);
                        }
                    } catch (Exception e) {
                        done.completeExceptionally(e);
                    }
                },
                0,
                periodMillis,
                TimeUnit.MILLISECONDS);
        done.whenComplete((ok, error) -> timer.shutdownNow());
        return done;
    }

    private static <V> CompletableFuture<Void> acknowledged(
            KafkaProducer<String, V> producer, ProducerRecord<String, V> record) {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        producer.send(record, (meta, error) -> {
            if (error != null) {
                ack.completeExceptionally(error);
            } else {
                ack.complete(null);
            }
        });
        return ack;
    }
}
