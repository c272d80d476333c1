package io.sightline.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesKeyTest {

    @Test
    void shouldSortDimensionsSoTheSameSeriesAlwaysHasTheSameKey() {
        SeriesKey a = SeriesKey.of("event_count", Map.of("event", "Signed Up", "country", "DE"));
        SeriesKey b = SeriesKey.of("event_count", Map.of("country", "DE", "event", "Signed Up"));

        assertThat(a.toString()).isEqualTo(b.toString()).isEqualTo("event_count{country=DE,event=Signed+Up}");
    }

    @Test
    void shouldRoundTripValuesWithSeparators() {
        SeriesKey key = SeriesKey.of("m", Map.of("path", "/a,b={c}"));

        assertThat(SeriesKey.parse(key.toString())).isEqualTo(key);
    }
}
