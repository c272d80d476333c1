package io.sightline.enrich.context;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Generated MaxMind-format databases shaped like GeoLite2 City and Country, for tests.
 *
 * <p>City: {@code 81.2.69.128/25} is London, England, GB (only the upper half of the
 * /24, so an address whose last octet was zeroed falls outside it) and
 * {@code 2001:db8:1234::/48} is Munich, Bavaria, DE. Country: the same networks with
 * only the country.
 */
public final class GeoDatabases {

    public static final String LONDON_NETWORK = "81.2.69.128/25";
    public static final String MUNICH_NETWORK = "2001:db8:1234::/48";

    private GeoDatabases() {}

    public static Path city(Path dir) throws IOException {
        Path file = dir.resolve("GeoLite2-City-Test.mmdb");
        new MmdbFileWriter("GeoLite2-City", 6)
                .insert(
                        LONDON_NETWORK,
                        cityRecord(
                                country(2635167L, "GB", "United Kingdom"),
                                List.of(subdivision(6269131L, "ENG", "England")),
                                2643743L,
                                "London"))
                .insert(
                        MUNICH_NETWORK,
                        cityRecord(
                                country(2921044L, "DE", "Germany"),
                                List.of(
                                        subdivision(2951839L, "BY", "Bavaria"),
                                        subdivision(3220837L, "091", "Upper Bavaria")),
                                2867714L,
                                "Munich"))
                .write(file);
        return file;
    }

    public static Path country(Path dir) throws IOException {
        Path file = dir.resolve("GeoLite2-Country-Test.mmdb");
        new MmdbFileWriter("GeoLite2-Country", 6)
                .insert(LONDON_NETWORK, Map.of("country", country(2635167L, "GB", "United Kingdom")))
                .insert(MUNICH_NETWORK, Map.of("country", country(2921044L, "DE", "Germany")))
                .write(file);
        return file;
    }

    private static Map<String, Object> cityRecord(
            Map<String, Object> country, List<Map<String, Object>> subdivisions, long cityId, String city) {
        return Map.of(
                "city", Map.of("geoname_id", cityId, "names", Map.of("en", city)),
                "country", country,
                "subdivisions", subdivisions);
    }

    private static Map<String, Object> country(long geonameId, String isoCode, String name) {
        return Map.of("geoname_id", geonameId, "iso_code", isoCode, "names", Map.of("en", name));
    }

    private static Map<String, Object> subdivision(long geonameId, String isoCode, String name) {
        return Map.of("geoname_id", geonameId, "iso_code", isoCode, "names", Map.of("en", name));
    }
}
