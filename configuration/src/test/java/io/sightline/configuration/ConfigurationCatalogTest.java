package io.sightline.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationCatalogTest {

    @TempDir
    Path dir;

    @Test
    void aMisspelledVariableStopsStartUpNamingTheClosestValidOne() {
        assertThatThrownBy(() -> ConfigurationCatalog.checkKnown(
                        Map.of("SIGHTLINE_TRACKNG_PLANS", "web=web"), "the environment", List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "Unknown setting SIGHTLINE_TRACKNG_PLANS in the environment; did you mean SIGHTLINE_TRACKING_PLANS? "
                                + "Every setting is listed in docs/configuration.md");
        assertThatThrownBy(() -> ConfigurationCatalog.checkKnown(
                        Map.of("SIGHTLINE_WRITE_KEY", "k:s"), "the environment", List.of()))
                .hasMessageContaining("did you mean SIGHTLINE_WRITE_KEYS?");
    }

    @Test
    void knownSettingsKafkaPassThroughAndOtherVariablesPass() {
        ConfigurationCatalog.checkKnown(
                Map.of(
                        "SIGHTLINE_WRITE_KEYS",
                        "k:s",
                        "SIGHTLINE_KAFKA_SECURITY_PROTOCOL",
                        "SASL_SSL",
                        "SIGHTLINE_DETECTOR_RULES_FILE",
                        "/rules.yaml",
                        "PATH",
                        "/usr/bin",
                        "SIGHTLINE_CONFIG_FILE",
                        "/etc/s.yaml"),
                "the environment",
                List.of());
    }

    @Test
    void aFileIsReadFlatOrNestedWithListsAndTheEnvironmentWins() throws Exception {
        Path file = Files.writeString(dir.resolve("sightline.yaml"), """
                write.keys: file-key:web
                max.batch.items: 10
                tracking:
                  plans: [web=shop, ios=app]
                  plan.modes: "*=flag"
                kafka:
                  security.protocol: SASL_SSL
                """);

        Map<String, String> settings =
                ConfigurationCatalog.resolve(file, Map.of("SIGHTLINE_MAX_BATCH_ITEMS", "20"), List.of());

        assertThat(settings)
                .containsEntry("SIGHTLINE_WRITE_KEYS", "file-key:web")
                .containsEntry("SIGHTLINE_TRACKING_PLANS", "web=shop,ios=app")
                .containsEntry("SIGHTLINE_TRACKING_PLAN_MODES", "*=flag")
                .containsEntry("SIGHTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("SIGHTLINE_MAX_BATCH_ITEMS", "20");
    }

    @Test
    void aMisspelledKeyInTheFileNamesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("typo.yaml"), "tracking:\n  plan.mode: \"*=block\"\n");
        assertThatThrownBy(() -> ConfigurationCatalog.resolve(file, Map.of(), List.of()))
                .hasMessageStartingWith("Unknown setting SIGHTLINE_TRACKING_PLAN_MODE in configuration file " + file)
                .hasMessageContaining("did you mean SIGHTLINE_TRACKING_PLAN_MODES?");
    }

    @Test
    void aFileThatIsNotYamlOrNotAMapIsRefusedSayingWhere() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "write.keys: [a\n");
        assertThatThrownBy(() -> ConfigurationCatalog.resolve(broken, Map.of(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML at line");
        Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
        assertThatThrownBy(() -> ConfigurationCatalog.resolve(list, Map.of(), List.of()))
                .hasMessageContaining("must be a map of setting names");
        assertThatThrownBy(() -> ConfigurationCatalog.resolve(dir.resolve("missing.yaml"), Map.of(), List.of()))
                .hasMessageContaining("does not exist");
    }
}
