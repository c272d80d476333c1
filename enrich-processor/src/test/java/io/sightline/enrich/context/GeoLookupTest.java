package io.sightline.enrich.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CityResponse;
import io.sightline.enrich.context.GeoLookup.Geo;
import io.sightline.privacy.IpAnonymizer;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoLookupTest {

    @TempDir
    Path dir;

    @Test
    void shouldAnswerCountryRegionAndCityForAnIpv4AddressInACityDatabase() throws Exception {
        // given a City database where 81.2.69.128/25 is London
        try (GeoLookup geo = GeoLookup.open(GeoDatabases.city(dir))) {
            // when / then
            assertThat(geo.lookup(ip("81.2.69.142"))).contains(new Geo("GB", "England", "London"));
            assertThat(geo.lookup(ip("81.2.69.255"))).contains(new Geo("GB", "England", "London"));
        }
    }

    @Test
    void shouldAnswerTheMostSpecificRegionForAnIpv6AddressInACityDatabase() throws Exception {
        try (GeoLookup geo = GeoLookup.open(GeoDatabases.city(dir))) {
            assertThat(geo.lookup(ip("2001:db8:1234:5678::9"))).contains(new Geo("DE", "Upper Bavaria", "Munich"));
        }
    }

    @Test
    void shouldAnswerNothingForAnAddressOutsideTheDatabasesNetworks() throws Exception {
        try (GeoLookup geo = GeoLookup.open(GeoDatabases.city(dir))) {
            // the lower half of London's /24, the next /24, the next /48, a private address, and no address
            assertThat(geo.lookup(ip("81.2.69.127"))).isEmpty();
            assertThat(geo.lookup(ip("81.2.70.142"))).isEmpty();
            assertThat(geo.lookup(ip("2001:db8:1235::1"))).isEmpty();
            assertThat(geo.lookup(ip("10.0.0.1"))).isEmpty();
            assertThat(geo.lookup(null)).isEmpty();
        }
    }

    @Test
    void shouldAnswerOnlyTheCountryFromACountryDatabase() throws Exception {
        try (GeoLookup geo = GeoLookup.open(GeoDatabases.country(dir))) {
            assertThat(geo.lookup(ip("81.2.69.142"))).contains(new Geo("GB", null, null));
            assertThat(geo.lookup(ip("2001:db8:1234::1"))).contains(new Geo("DE", null, null));
            assertThat(geo.lookup(ip("81.2.69.1"))).isEmpty();
        }
    }

    @Test
    void shouldFailAtOpenNamingTheSettingWhenTheFileIsMissing() {
        Path missing = dir.resolve("GeoLite2-City.mmdb");

        assertThatThrownBy(() -> GeoLookup.open(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("SIGHTLINE_GEO_DATABASE_PATH")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldFailAtOpenNamingTheSettingWhenTheFileIsNotAMaxMindDatabase() throws Exception {
        Path notADatabase = Files.writeString(dir.resolve("cities.csv"), "ip,country\n81.2.69.142,GB\n");

        assertThatThrownBy(() -> GeoLookup.open(notADatabase))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("SIGHTLINE_GEO_DATABASE_PATH")
                .hasMessageContaining(notADatabase.toString());
    }

    @Test
    void shouldFailAtOpenNamingTheSettingWhenTheDatabaseIsTruncated() throws Exception {
        // given a City database cut off before its metadata, as an interrupted download leaves it
        byte[] whole = Files.readAllBytes(GeoDatabases.city(dir));
        Path truncated = Files.write(dir.resolve("GeoLite2-City-partial.mmdb"), Arrays.copyOf(whole, whole.length / 2));

        assertThatThrownBy(() -> GeoLookup.open(truncated))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("SIGHTLINE_GEO_DATABASE_PATH");
    }

    @Test
    void shouldBeReadByMaxMindsOwnReaderWithTheMetadataAndRecordsWritten() throws Exception {
        // The writer is checked by MaxMind's reader, not by itself.
        try (DatabaseReader reader =
                new DatabaseReader.Builder(GeoDatabases.city(dir).toFile()).build()) {
            var metadata = reader.getMetadata();
            assertThat(metadata.getDatabaseType()).isEqualTo("GeoLite2-City");
            assertThat(metadata.getIpVersion()).isEqualTo(6);
            assertThat(metadata.getBinaryFormatMajorVersion()).isEqualTo(2);
            assertThat(metadata.getBinaryFormatMinorVersion()).isEqualTo(0);
            assertThat(metadata.getLanguages()).containsExactly("en");
            assertThat(metadata.getDescription()).containsEntry("en", "Sightline test database (GeoLite2-City)");
            assertThat(metadata.getBuildDate().toInstant()).hasToString("2024-05-01T12:00:00Z");

            CityResponse london = reader.city(ip("81.2.69.142"));
            assertThat(london.getCountry().getIsoCode()).isEqualTo("GB");
            assertThat(london.getCountry().getName()).isEqualTo("United Kingdom");
            assertThat(london.getCountry().getGeoNameId()).isEqualTo(2635167L);
            assertThat(london.getSubdivisions())
                    .extracting(s -> s.getIsoCode() + "/" + s.getName())
                    .containsExactly("ENG/England");
            assertThat(london.getCity().getName()).isEqualTo("London");
            assertThat(london.getCity().getGeoNameId()).isEqualTo(2643743L);
            assertThat(london.getTraits().getNetwork()).hasToString("81.2.69.128/25");

            CityResponse munich = reader.city(ip("2001:db8:1234:ffff::1"));
            assertThat(munich.getSubdivisions()).extracting(s -> s.getIsoCode()).containsExactly("BY", "091");
            assertThat(munich.getTraits().getNetwork().getPrefixLength()).isEqualTo(48);
            assertThat(munich.getTraits().getNetwork().getNetworkAddress()).isEqualTo(ip("2001:db8:1234::"));

            assertThat(reader.tryCity(ip("81.2.69.127"))).isEqualTo(Optional.empty());
        }
    }

    private static InetAddress ip(String literal) {
        InetAddress address = IpAnonymizer.parse(literal);
        assertThat(address).as(literal).isNotNull();
        return address;
    }

    @Test
    void shouldCountALookupTheDatabaseCannotAnswerAndGoOnWithoutGeo() throws Exception {
        byte[] db = new MmdbFileWriter("GeoLite2-Country", 4)
                .insert(
                        "81.2.69.0/24",
                        Map.of("country", Map.of("iso_code", "GB", "names", Map.of("en", "United Kingdom"))))
                .toBytes();
        // Break the one data record: after the 16 zero bytes that end the search tree comes its map's
        // control byte; an extended type byte past every known type makes the record undecodable.
        int data = -1;
        for (int i = 0; i + 16 < db.length && data < 0; i++) {
            boolean zeros = true;
            for (int j = 0; j < 16 && zeros; j++) {
                zeros = db[i + j] == 0;
            }
            if (zeros && db[i + 16] != 0) {
                data = i + 16;
            }
        }
        assertThat(data).as("data section found").isPositive();
        db[data] = 0x00;
        db[data + 1] = (byte) 0xF0;
        Path file = dir.resolve("broken-record.mmdb");
        Files.write(file, db);

        try (GeoLookup geo = GeoLookup.open(file)) {
            assertThat(geo.lookup(ip("81.2.69.7"))).isEmpty();
            assertThat(geo.lookup(ip("10.0.0.1")))
                    .as("outside every network: no lookup of a record, no failure")
                    .isEmpty();

            assertThat(geo.failures()).isEqualTo(1);
        }
    }
}
