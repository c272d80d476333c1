package io.sightline.enrich.context;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Country, region and city of an IP address from a MaxMind-format database (GeoLite2
 * or GeoIP2 City or Country). Looked up before the IP is anonymized; an address the
 * database does not know has no geo.
 */
public final class GeoLookup implements AutoCloseable {

    public record Geo(String country, String region, String city) {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GeoLookup.class);
    /** After the first failed lookup, one warning per this many more. */
    static final long WARN_EVERY = 10_000;

    private final DatabaseReader reader;
    private final boolean city;
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

    private GeoLookup(DatabaseReader reader) {
        this.reader = reader;
        this.city = reader.getMetadata().getDatabaseType().contains("City");
    }

    /** Opens {@code database}; a missing or unreadable file fails naming the setting to fix. */
    public static GeoLookup open(Path database) {
        try {
            return new GeoLookup(new DatabaseReader.Builder(database.toFile()).build());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the geo database " + database + " (SIGHTLINE_GEO_DATABASE_PATH)", e);
        }
    }

    public Optional<Geo> lookup(InetAddress address) {
        if (address == null) {
            return Optional.empty();
        }
        try {
            if (city) {
                Optional<CityResponse> r = reader.tryCity(address);
                return r.map(c -> new Geo(
                        c.getCountry().getIsoCode(),
                        c.getMostSpecificSubdivision().getName(),
                        c.getCity().getName()));
            }
            Optional<CountryResponse> r = reader.tryCountry(address);
            return r.map(c -> new Geo(c.getCountry().getIsoCode(), null, null));
        } catch (Exception e) {
            // A malformed database entry must not stop enrichment: the event just has no geo, and the
            // failure is counted and logged (never the address: it is personal data).
            long n = failures.incrementAndGet();
            if (n == 1 || n % WARN_EVERY == 0) {
                log.warn(
                        "Geo lookups failed {} time(s) so far, the latest with {}: events go on without geo; check the "
                                + "database at SIGHTLINE_GEO_DATABASE_PATH",
                        n,
                        e.getClass().getSimpleName());
            }
            return Optional.empty();
        }
    }

    /** Lookups that failed (a malformed database entry, an IPv6 address in an IPv4-only database). */
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException ignored) {
            // closing a memory-mapped reader has nothing to report
        }
    }
}
