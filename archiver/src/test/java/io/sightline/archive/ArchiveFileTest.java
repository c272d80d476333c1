package io.sightline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.EnrichedEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveFileTest {

    @TempDir
    Path dir;

    @Test
    void aFileNameStatesItsHourPartitionAndOffsetsAndReadsBackAsTheSame() {
        ArchiveFile file = new ArchiveFile(Instant.parse("2026-12-06T07:42:13Z"), 3, 1200, 1499);

        assertThat(file.name())
                .isEqualTo("dt=2026-12-06/hour=07/events-p00003-o00000000000000001200-00000000000000001499.parquet");
        assertThat(ArchiveFile.parse(file.name())).contains(file);
        assertThat(ArchiveFile.parse("dt=2026-12-06/hour=07/notes.txt")).isEmpty();
        assertThat(ArchiveFile.parse(".incoming/x.parquet")).isEmpty();
    }

    @Test
    void eventsWrittenAsParquetReadBackEqualInAFreshJvmWithoutOtherAvroSetUp() throws Exception {
        Instant at = Instant.parse("2026-12-06T07:00:00.123Z");
        List<EnrichedEvent> events =
                List.of(ArchiveFiles.event("m-1", "u-1", at), ArchiveFiles.event("m-2", "u-2", at.plusSeconds(1)));
        Path file = dir.resolve("events.parquet");

        EventsParquet.write(file, events);

        assertThat(EventsParquet.read(file)).isEqualTo(events);
    }
}
