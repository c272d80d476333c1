package io.sightline.archive;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One committed file of the archive, named after what it holds so the name alone is the
 * archive's commit log: {@code dt=2026-12-06/hour=07/events-p00003-o00000000000000001200-00000000000000001499.parquet}
 * holds the records of partition 3 of {@code events.enriched.v1} from offset 1,200 to 1,499
 * (those the transactions committed), received in that hour (UTC). After a crash the
 * archiver goes on after the highest last offset of each partition, so no record is
 * archived twice or skipped.
 */
public record ArchiveFile(Instant hour, int partition, long firstOffset, long lastOffset) {

    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);
    private static final Pattern NAME =
            Pattern.compile("dt=(\\d{4}-\\d{2}-\\d{2})/hour=(\\d{2})/events-p(\\d{5})-o(\\d{20})-(\\d{20})\\.parquet");

    public ArchiveFile {
        hour = hour.truncatedTo(ChronoUnit.HOURS);
    }

    /** The file's name in the archive, a path relative to its root. */
    public String name() {
        return hourPrefix(hour)
                + String.format("events-p%05d-o%020d-%020d.parquet", partition, firstOffset, lastOffset);
    }

    /** The directory of an hour: {@code dt=<date>/hour=<hh>/}. */
    public static String hourPrefix(Instant hour) {
        return "dt=" + DAY.format(hour) + "/hour=" + HOUR.format(hour) + "/";
    }

    /** The file a name stands for; empty for anything else found in the archive. */
    public static Optional<ArchiveFile> parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        Instant hour = Instant.parse(m.group(1) + "T" + m.group(2) + ":00:00Z");
        return Optional.of(new ArchiveFile(
                hour, Integer.parseInt(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
    }
}
