package io.sightline.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.serde.AvroSerializer;
import io.sightline.testkit.PacedSender;
import io.sightline.testkit.PipelineEnvironment;
import io.sightline.testkit.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once files across a hard failure: the archiver runs in a child JVM and is
 * SIGKILLed while it archives live input (files half-written in the spool, offsets not
 * committed); a new process takes over. Every event must then be in the archive exactly
 * once, and each partition's files must cover contiguous, non-overlapping offsets.
 */
class ArchiverHardKillIT {

    private static final int EVENTS = 3000;

    @TempDir
    Path dir;

    @Test
    void shouldArchiveEveryEventExactlyOnceWhenTheProcessIsKilledMidStream() throws Exception {
        Instant now = Instant.now();
        List<EnrichedEvent> input = IntStream.range(0, EVENTS)
                .mapToObj(i -> ArchiveFiles.event("m-" + i, "user-" + (i % 37), now))
                .toList();
        Path archive = dir.resolve("archive");

        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                KafkaProducer<String, EnrichedEvent> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", env.bootstrapServers(), "acks", "all", "enable.idempotence", true),
                        new StringSerializer(),
                        new AvroSerializer<>(env.topics().registry()))) {
            Map<String, String> settings = env.serviceEnv(
                    dir.resolve("state"),
                    Map.of(
                            "SIGHTLINE_ARCHIVE_DIR", archive.toString(),
                            "SIGHTLINE_ARCHIVE_SPOOL_DIR", dir.resolve("spool").toString(),
                            "SIGHTLINE_ARCHIVE_FILE_MAX_RECORDS", "150",
                            "SIGHTLINE_ARCHIVE_FILE_MAX_AGE_MS", "300",
                            // The broker's shortest session timeout: the new process waits that long for the old one.
                            "SIGHTLINE_KAFKA_SESSION_TIMEOUT_MS", "6000"));

            try (ServiceProcess first = ServiceProcess.start(ArchiverService.class, settings, log("first"), "384m")) {
                first.awaitLog("Archiving partitions", Duration.ofSeconds(90));
                CompletableFuture<Void> sending = PacedSender.send(
                        producer, Topics.EVENTS_ENRICHED, input, e -> e.getUserKey(), 20, 40); // 500 events/s
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> ArchiveFiles.files(archive).size() >= 4);

                first.kill();
                assertThat(ArchiveFiles.events(archive))
                        .as("events archived when the first process was killed")
                        .hasSizeLessThan(EVENTS);
                try (ServiceProcess second =
                        ServiceProcess.start(ArchiverService.class, settings, log("second"), "384m")) {
                    sending.get(60, TimeUnit.SECONDS);
                    await().atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> ArchiveFiles.events(archive).stream()
                                            .map(e -> e.getEvent().getMessageId())
                                            .distinct()
                                            .count()
                                    == EVENTS);
                    second.stop();
                }
            }
        }

        List<EnrichedEvent> archived = ArchiveFiles.events(archive);
        Map<String, Long> copies = archived.stream()
                .collect(Collectors.groupingBy(e -> e.getEvent().getMessageId(), Collectors.counting()));
        Set<String> missing = new HashSet<>(
                input.stream().map(e -> e.getEvent().getMessageId()).toList());
        missing.removeAll(copies.keySet());
        assertThat(missing).as("events never archived").isEmpty();
        assertThat(copies)
                .as("events archived more than once")
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
        assertThat(archived).hasSize(EVENTS);
        Map<Integer, List<ArchiveFile>> byPartition =
                ArchiveFiles.files(archive).stream().collect(Collectors.groupingBy(ArchiveFile::partition));
        byPartition.forEach((partition, files) -> {
            List<ArchiveFile> sorted = files.stream()
                    .sorted(Comparator.comparingLong(ArchiveFile::firstOffset))
                    .toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat(sorted.get(i).firstOffset())
                        .as("partition %d: files do not overlap", partition)
                        .isGreaterThan(sorted.get(i - 1).lastOffset());
            }
        });
    }

    /** Under target/, so a failed run's logs outlive the test's temporary directory. */
    private Path log(String instance) {
        return Path.of("target", getClass().getSimpleName() + "-" + instance + ".log");
    }
}
