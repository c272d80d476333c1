package io.sightline.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReliabilityRunOptionsTest {

    @Test
    void shouldPassEverySetSettingToTheServicesAndRefuseAnythingElse() {
        ReliabilityRun.Options options = ReliabilityRun.Options.parse(new String[] {
            "--profile", "short",
            "--set", "SIGHTLINE_KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS=60000",
            "--set", "SIGHTLINE_ACK_TIMEOUT_MS=5000"
        });

        assertThat(options.profile()).isEqualTo("short");
        assertThat(options.guarantee()).isEqualTo("exactly_once_v2");
        assertThat(options.settings())
                .isEqualTo(Map.of(
                        "SIGHTLINE_KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS", "60000", "SIGHTLINE_ACK_TIMEOUT_MS", "5000"));
        assertThatThrownBy(() -> ReliabilityRun.Options.parse(new String[] {"--set", "delivery.timeout.ms=1"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SIGHTLINE_NAME=value");
    }
}
