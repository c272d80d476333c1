package io.sightline.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every meter a service registers follows one scheme, {@code sightline.<service>.<thing>}
 * (Prometheus: {@code sightline_<service>_<thing>_<unit>}, the unit added by Micrometer
 * from the meter's type and base unit), where the service is the one that measures, or
 * {@code pipeline} for what every stage reports with a {@code stage} tag.
 */
class MetricNamesTest {

    private static final Pattern METER = Pattern.compile(
            "(?:Counter|Gauge|Timer|DistributionSummary)\\.builder\\(\\s*\"([^\"]+)\"|\\.(?:gauge|counter|timer|summary)\\(\\s*\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile(
            "sightline\\.(ingest|enrich|aggregate|anomaly|serving|registry|archiver|pipeline)(\\.[a-z]+)+");

    @Test
    void everyMeterNameFollowsTheScheme() throws IOException {
        Set<String> names = meterNames();
        assertThat(names).as("meter names found in the services' sources").hasSizeGreaterThan(10);
        assertThat(names).allSatisfy(name -> assertThat(name).matches(SCHEME));
    }

    private static Set<String> meterNames() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of(".."), 12)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/"))::iterator) {
                Matcher m = METER.matcher(Files.readString(file));
                while (m.find()) {
                    names.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        return names;
    }
}
