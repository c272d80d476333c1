package io.sightline.anomaly.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The rule-key table of docs/anomaly-detection.md is the one written from the declarations.
 * Regenerate: {@code ./mvnw -q -o -pl anomaly-processor test -Dtest=RuleKeysDocTest -Dsightline.docs.regenerate=true}
 */
class RuleKeysDocTest {

    private static final Path PAGE = Path.of("..", "docs", "anomaly-detection.md");

    @Test
    void theRuleKeyTableIsTheOneWrittenFromTheDeclarations() throws Exception {
        String page = Files.readString(PAGE);
        int begin = page.indexOf(RuleKeysDoc.BEGIN);
        int end = page.indexOf(RuleKeysDoc.END);
        assertThat(begin).as("the page marks where the rule-key table goes").isGreaterThanOrEqualTo(0);
        assertThat(end).isGreaterThan(begin);
        String current = page.substring(begin, end + RuleKeysDoc.END.length());
        if (Boolean.getBoolean("sightline.docs.regenerate")) {
            Files.writeString(PAGE, page.replace(current, RuleKeysDoc.table()));
            current = RuleKeysDoc.table();
        }
        assertThat(current)
                .as(
                        "the rule-key table in docs/anomaly-detection.md is out of date: regenerate it with "
                                + "./mvnw -q -o -pl anomaly-processor test -Dtest=RuleKeysDocTest -Dsightline.docs.regenerate=true")
                .isEqualTo(RuleKeysDoc.table());
    }

    @Test
    void everyKeyARuleWritesBackIsDeclaredAndDocumented() {
        MetricRule rule = RuleSet.of(RuleSet.base(java.util.Map.of())).defaults();
        assertThat(RuleSet.toNode(rule).properties())
                .allSatisfy(e -> assertThat(RuleKeysDoc.table()).contains("| `" + e.getKey() + "` |"));
        assertThat(RuleKeys.names()).hasSize(RuleKeys.ALL.size());
    }
}
