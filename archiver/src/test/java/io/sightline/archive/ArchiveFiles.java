package io.sightline.archive;

import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What tests read back from a local archive, and the events they write. */
final class ArchiveFiles {

    private ArchiveFiles() {}

    /** The committed files of the archive under {@code root}, by their names. */
    static List<ArchiveFile> files(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString())
                    .map(ArchiveFile::parse)
                    .flatMap(java.util.Optional::stream)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every archived event, file by file. */
    static List<EnrichedEvent> events(Path root) {
        List<EnrichedEvent> events = new ArrayList<>();
        for (ArchiveFile f : files(root)) {
            try {
                events.addAll(EventsParquet.read(root.resolve(f.name())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return events;
    }

    static EnrichedEvent event(String messageId, String userId, Instant receivedAt) {
        TrackedEvent event = TrackedEvent.newBuilder()
                .setMessageId(messageId)
                .setType(EventType.track)
                .setSource("web")
                .setEvent("Clicked")
                .setUserId(userId)
                .setReceivedAt(receivedAt)
                .setTimestamp(receivedAt)
                .build();
        return EnrichedEvent.newBuilder()
                .setEvent(event)
                .setUserKey(userId)
                .setEnrichedAt(receivedAt)
                .build();
    }
}
