package io.sightline.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.testkit.PipelineEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive forgets: deleted subjects are rewritten out of committed files, and old hours expire. */
class ArchiverErasureIT {

    @TempDir
    Path dir;

    @Test
    void shouldRewriteADeletedUserOutOfTheArchiveKeepWhatTheySendAfterAndExpireOldHours() throws Exception {
        Path archive = dir.resolve("archive");
        // An hour from long ago, of a partition the topic does not have (so it moves no offsets).
        ArchiveFile old = new ArchiveFile(Instant.parse("2020-01-01T00:00:00Z"), 99, 0, 0);
        Files.createDirectories(archive.resolve(old.name()).getParent());
        EventsParquet.write(archive.resolve(old.name()), List.of(ArchiveFiles.event("old", "u", Instant.EPOCH)));

        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                ArchiverService archiver = ArchiverService.start(new ArchiveConfig(env.serviceEnv(
                        dir.resolve("state"),
                        Map.of(
                                "SIGHTLINE_ARCHIVE_DIR", archive.toString(),
                                "SIGHTLINE_ARCHIVE_SPOOL_DIR",
                                        dir.resolve("spool").toString(),
                                "SIGHTLINE_ARCHIVE_FILE_MAX_AGE_MS", "200"))))) {
            Instant before = Instant.now();
            for (int i = 0; i < 10; i++) {
                env.produce(Topics.EVENTS_ENRICHED, "kept", ArchiveFiles.event("kept-" + i, "kept", before));
                env.produce(Topics.EVENTS_ENRICHED, "gone", ArchiveFiles.event("gone-" + i, "gone", before));
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ArchiveFiles.events(archive).size() == 20);
            assertThat(Files.exists(archive.resolve(old.name())))
                    .as("an hour past the retention")
                    .isFalse();

            Instant deletedAt = Instant.now();
            env.produce(
                    Topics.PRIVACY_REGULATIONS,
                    Topics.erasureKey(SubjectType.USER_ID, "gone"),
                    new SubjectRegulation(
                            "r-1", RegulationType.DELETE_ONLY, SubjectType.USER_ID, "gone", deletedAt, null));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ArchiveFiles.events(archive).stream()
                            .noneMatch(e -> e.getUserKey().equals("gone")));
            assertThat(ArchiveFiles.events(archive))
                    .extracting(e -> e.getEvent().getMessageId())
                    .containsExactlyInAnyOrder(
                            "kept-0", "kept-1", "kept-2", "kept-3", "kept-4", "kept-5", "kept-6", "kept-7", "kept-8",
                            "kept-9");
            ConsumerRecord<String, SubjectRegulation> asked = env.readAll(
                            Topics.PRIVACY_REGULATIONS, SubjectRegulation.class, Duration.ofSeconds(10))
                    .get(0);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(env
                                    .readAll(
                                            Topics.PRIVACY_ERASURE_RECEIPTS,
                                            ErasureReceipt.class,
                                            Duration.ofSeconds(10))
                                    .stream()
                                    .filter(r -> r.key().equals("archiver/erase-archive/0"))
                                    .map(r -> r.value()
                                            .getErasedThrough()
                                            .getOrDefault(Integer.toString(asked.partition()), -1L)))
                            .as("the archiver's receipt reaches the deletion")
                            .contains(asked.offset()));

            // A late copy from before the deletion is not archived; what the user sends after it is.
            env.produce(Topics.EVENTS_ENRICHED, "gone", ArchiveFiles.event("gone-late", "gone", before));
            env.produce(
                    Topics.EVENTS_ENRICHED, "gone", ArchiveFiles.event("gone-after", "gone", deletedAt.plusSeconds(1)));
            env.produce(Topics.EVENTS_ENRICHED, "kept", ArchiveFiles.event("kept-last", "kept", Instant.now()));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ArchiveFiles.events(archive).stream()
                            .anyMatch(e -> e.getEvent().getMessageId().equals("kept-last")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ArchiveFiles.events(archive).stream()
                            .anyMatch(e -> e.getEvent().getMessageId().equals("gone-after")));
            assertThat(ArchiveFiles.events(archive))
                    .extracting(e -> e.getEvent().getMessageId())
                    .doesNotContain("gone-late");
        }
    }
}
