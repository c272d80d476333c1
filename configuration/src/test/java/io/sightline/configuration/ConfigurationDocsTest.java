package io.sightline.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the declarations: it fails when they differ.
 * Regenerate: {@code ./mvnw -q -o -pl configuration test -Dtest=ConfigurationDocsTest -Dsightline.docs.regenerate=true}
 */
class ConfigurationDocsTest {

    static final Path DOCS = Path.of("..", "docs", "configuration.md");

    @Test
    void theConfigurationPageIsTheOneGeneratedFromTheDeclarations() throws Exception {
        String generated = ConfigurationDocs.markdown();
        if (Boolean.getBoolean("sightline.docs.regenerate")) {
            Files.writeString(DOCS, generated);
        }
        assertThat(Files.exists(DOCS)).as("%s exists", DOCS).isTrue();
        assertThat(Files.readString(DOCS))
                .as(
                        "docs/configuration.md is out of date: regenerate it with "
                                + "./mvnw -q -o -pl configuration test -Dtest=ConfigurationDocsTest -Dsightline.docs.regenerate=true")
                .isEqualTo(generated);
    }

    @Test
    void everySettingOfEveryServiceIsOnThePage() {
        String page = ConfigurationDocs.markdown();
        for (String variable : ConfigurationCatalog.variables(java.util.List.of())) {
            if (!ConfigurationCatalog.TOOL_VARIABLES.contains(variable)) {
                assertThat(page).contains("`" + variable + "`");
            }
        }
    }
}
