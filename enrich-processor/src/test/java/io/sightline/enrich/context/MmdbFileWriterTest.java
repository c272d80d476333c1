package io.sightline.enrich.context;

import static org.assertj.core.api.Assertions.assertThat;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Reader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test database writer, checked by MaxMind's low-level reader. */
class MmdbFileWriterTest {

    @TempDir
    Path dir;

    @Test
    void shouldWriteEveryDataTypeAndSizeFormSoThatTheReaderDecodesTheSameValues() throws Exception {
        // given a record with each type the writer knows, and strings and arrays past the 1-byte size forms
        Map<String, Object> record = Map.of(
                "short",
                "x",
                "size-29",
                "a".repeat(29),
                "size-285",
                "b".repeat(285),
                "size-65821",
                "c".repeat(65_821),
                "uint16",
                65_535,
                "uint32",
                4_294_967_295L,
                "uint64",
                new BigInteger("18446744073709551615"),
                "flags",
                List.of(true, false),
                "double",
                51.5142,
                "zero",
                0L);
        Path file = dir.resolve("types.mmdb");
        new MmdbFileWriter("Sightline-Types", 6).insert("192.0.2.0/24", record).write(file);

        // when MaxMind's reader reads it back
        try (Reader reader = new Reader(file.toFile())) {
            // then it decodes exactly what was written
            assertThat(reader.get(InetAddress.getByName("192.0.2.1"), Map.class))
                    .isEqualTo(record);
        }
    }

    @Test
    void shouldWriteAnIpv4OnlyTreeWithNarrowerNetworksCarvedOutOfWiderOnes() throws Exception {
        Path file = dir.resolve("v4.mmdb");
        new MmdbFileWriter("Sightline-V4", 4)
                .insert("198.51.100.0/24", Map.of("name", "wide"))
                .insert("198.51.100.64/26", Map.of("name", "narrow"))
                .write(file);

        try (Reader reader = new Reader(file.toFile())) {
            assertThat(reader.getMetadata().getIpVersion()).isEqualTo(4);
            DatabaseRecord<Map> wide = reader.getRecord(InetAddress.getByName("198.51.100.200"), Map.class);
            DatabaseRecord<Map> narrow = reader.getRecord(InetAddress.getByName("198.51.100.70"), Map.class);
            assertThat(wide.getData()).isEqualTo(Map.of("name", "wide"));
            assertThat(wide.getNetwork()).hasToString("198.51.100.128/25");
            assertThat(narrow.getData()).isEqualTo(Map.of("name", "narrow"));
            assertThat(narrow.getNetwork()).hasToString("198.51.100.64/26");
            assertThat(reader.get(InetAddress.getByName("198.51.101.1"), Map.class))
                    .isNull();
        }
    }
}
