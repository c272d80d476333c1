package io.sightline.archive;

import io.sightline.schemas.avro.EnrichedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * The file being written for one partition: contiguous offsets of records received in one
 * hour, in the spool directory until it is committed to the archive.
 */
final class OpenFile {

    private final int partition;
    private final Instant hour;
    private final Path spool;
    private final ParquetWriter<EnrichedEvent> writer;
    private final long openedAtNanos = System.nanoTime();
    private long firstOffset = -1;
    private long lastOffset = -1;
    private int records;

    OpenFile(int partition, Instant hour, Path spoolDir) throws IOException {
        this.partition = partition;
        this.hour = hour.truncatedTo(ChronoUnit.HOURS);
        this.spool = Files.createTempFile(spoolDir, "events-p" + partition + "-", ".parquet");
        this.writer = EventsParquet.writer(spool);
    }

    Instant hour() {
        return hour;
    }

    int records() {
        return records;
    }

    long ageNanos() {
        return System.nanoTime() - openedAtNanos;
    }

    /** Adds the record at {@code offset}; a record skipped (erased) still moves the file's last offset. */
    void add(long offset, EnrichedEvent event) throws IOException {
        if (event != null) {
            writer.write(event);
            records++;
        }
        skip(offset);
    }

    /** Counts {@code offset} as covered by this file without writing a record. */
    void skip(long offset) {
        if (firstOffset < 0) {
            firstOffset = offset;
        }
        lastOffset = offset;
    }

    boolean isEmpty() {
        return firstOffset < 0;
    }

    /** Closes the Parquet file: what the archive gets, and under which name. */
    ArchiveFile close() throws IOException {
        writer.close();
        return new ArchiveFile(hour, partition, firstOffset, lastOffset);
    }

    Path spool() {
        return spool;
    }

    /** Drops the file unwritten (the partition went to another instance, or the archiver stops). */
    void discard() {
        try {
            writer.close();
        } catch (IOException | RuntimeException e) {
            // It is thrown away anyway.
        }
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            // The spool is cleaned at start.
        }
    }
}
