package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.anomaly.AnomalyConfig;
import io.sightline.common.config.Settings;
import io.sightline.enrich.EnrichConfig;
import io.sightline.ingest.GatewayConfig;
import io.sightline.registry.RegistryConfig;
import io.sightline.serving.ServingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** README.md is the one place that documents every setting: a setting missing there fails the build. */
class ConfigurationDocsTest {

    @Test
    void shouldDocumentEverySettingOfEveryServiceInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));

        for (ConfigDef definition : List.of(GatewayConfig.DEFINITION, EnrichConfig.DEFINITION, AggregateConfig.DEFINITION,
                AnomalyConfig.DEFINITION, ServingConfig.DEFINITION, RegistryConfig.DEFINITION)) {
            for (String setting : definition.names()) {
                assertThat(readme).as("README documents %s", Settings.envName(setting)).contains("`" + Settings.envName(setting) + "`");
            }
        }
    }
}
