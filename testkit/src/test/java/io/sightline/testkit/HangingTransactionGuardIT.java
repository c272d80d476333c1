package io.sightline.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.kafka.HangingTransactionGuard;
import io.sightline.common.kafka.TopicBootstrap;
import io.sightline.embedded.kafka.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real broker: a transaction its producer still holds open is never taken for a
 * hanging one, however long it has been open, so the guard cannot abort live work.
 */
class HangingTransactionGuardIT {

    @TempDir
    Path dir;

    @Test
    void shouldLeaveAnOngoingTransactionAloneAndSeeNothingOnceItCommits() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.singleNode(dir, 0)) {
            Map<String, Object> admin = Map.of("bootstrap.servers", kafka.bootstrapServers());
            TopicBootstrap.ensureTopics(admin, List.of("guarded"), List.of(), 1, (short) 1);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    kafka.bootstrapServers(),
                                    "transactional.id",
                                    "guard-it",
                                    "transaction.timeout.ms",
                                    120_000),
                            new StringSerializer(),
                            new StringSerializer());
                    HangingTransactionGuard guard = new HangingTransactionGuard(
                            admin,
                            "guarded"::equals,
                            Duration.ZERO,
                            "test",
                            new SimpleMeterRegistry(),
                            Clock.systemUTC())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("guarded", "k", "v")).get();

                assertThat(guard.openTransactions())
                        .as("the open transaction is seen")
                        .hasSize(1);
                assertThat(guard.check())
                        .as("open past abortAfter, but its coordinator holds it")
                        .isEmpty();

                producer.commitTransaction();
                // the coordinator writes the commit marker just after it answers the commit
                await().alias("nothing open once committed")
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> guard.openTransactions().isEmpty());
            }
        }
    }
}
