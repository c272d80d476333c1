package io.sightline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway takes its CORS origins from the setting every browser-facing service shares. */
class CorsSettingTest {

    @Test
    void shouldAcceptEventsFromAnyPageByDefault() {
        assertThat(new GatewayConfig(Map.of("SIGHTLINE_WRITE_KEYS", "wk_test_key:web")).corsAllowedOrigins())
                .containsExactly("*");
    }

    @Test
    void shouldReadTheSharedSettingTrimmed() {
        GatewayConfig config = new GatewayConfig(Map.of(
                "SIGHTLINE_WRITE_KEYS",
                "wk_test_key:web",
                "SIGHTLINE_CORS_ALLOWED_ORIGINS",
                "https://app.example.com, "));

        assertThat(config.corsAllowedOrigins()).containsExactly("https://app.example.com");
    }
}
