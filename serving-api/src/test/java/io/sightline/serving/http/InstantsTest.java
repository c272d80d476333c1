package io.sightline.serving.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InstantsTest {

    @Test
    void shouldReadEveryInstantAsTheJdkDoes() {
        // given instants across four centuries, written with 0 to 9 fraction digits
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(
                    random.nextLong(-2_000_000_000L, 8_000_000_000L), random.nextInt(1_000_000_000));
            String text = instant.toString();
            String[] shapes = {text, text.replaceAll("\\.\\d+Z$", "Z"), text.replaceAll("(\\.\\d{1,3})\\d*Z$", "$1Z")};
            for (String shape : shapes) {
                // when / then
                assertThat(Instants.parse(shape)).as(shape).isEqualTo(Instant.parse(shape));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-02-29T23:59:59.999999999Z",
                "2024-05-01T12:00:00.1Z",
                "1970-01-01T00:00:00Z",
                "2024-05-01T12:00:00+02:00",
                "+12024-05-01T12:00:00Z",
                "2024-12-31T23:59:60Z",
                "2024-05-01T12:00:00.Z"
            })
    void shouldAgreeWithTheJdkOnEdgeCases(String text) {
        assertThat(Instants.parse(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "yesterday",
                "2024-02-30T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "2024-13-01T00:00:00Z",
                "2024-05-01T1a:00:00Z",
                "2024-05-01 12:00:00Z",
                "2024-05-01T12:00:00.1234567890Z",
                ""
            })
    void shouldRejectWhatTheJdkRejects(String text) {
        assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Instants.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
}
