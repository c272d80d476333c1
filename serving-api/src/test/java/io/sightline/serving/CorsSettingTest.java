package io.sightline.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The serving API takes its CORS origins from the setting every browser-facing service shares. */
class CorsSettingTest {

    @Test
    void shouldReadTheSharedSettingTrimmed() {
        ServingConfig config = new ServingConfig(
                Map.of("SIGHTLINE_CORS_ALLOWED_ORIGINS", " https://app.example.com , ,https://admin.example.com"));

        assertThat(config.corsAllowedOrigins()).containsExactly("https://app.example.com", "https://admin.example.com");
    }

    @Test
    void shouldAnswerQueriesToNoOtherOriginByDefault() {
        assertThat(new ServingConfig(Map.of()).corsAllowedOrigins()).isEmpty();
    }
}
