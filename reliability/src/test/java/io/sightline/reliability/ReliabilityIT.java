package io.sightline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The short reliability run, in CI: three brokers and two instances of every application,
 * each its own process, under load; the leader of the raw topic's partitions is SIGKILLed
 * and restarted, then an aggregate instance is SIGKILLed and restarted. Nothing acknowledged
 * may be lost, doubled or miscounted; queries get 200 or 503 with Retry-After. The full run
 * and the at-least-once control run are {@code reliability/run.sh}.
 *
 * <p>Runs only with {@code -Dsightline.reliability=true} (or as {@code PROFILE=short
 * reliability/run.sh}): on Kafka 4.3.1 a broker kill now and then loses a transaction marker,
 * and the run then fails for a reason in Kafka, not in a change under test
 * (docs/reliability.md, "Records of an aborted transaction committed by a later one").
 */
@EnabledIfSystemProperty(
        named = "sightline.reliability",
        matches = "true",
        disabledReason =
                "Kafka 4.3.1 loses transaction markers under broker kills now and then; see docs/reliability.md")
class ReliabilityIT {

    @Test
    void shouldLoseNothingAndCountEverythingOnceAcrossABrokerKillAndAnInstanceKill() throws Exception {
        Path dir = Path.of("target", "reliability-it-" + System.currentTimeMillis());
        ReliabilityRun.Report report = ReliabilityRun.run(
                new ReliabilityRun.Options(
                        "short", "exactly_once_v2", 150, dir, Path.of("../schemas/src/main/avro"), Map.of(), Map.of()),
                System.out::println);
        System.out.println(report.markdown());

        assertThat(report.faults()).hasSize(2);
        Verifier.Verdict v = report.verdict();
        assertThat(v.acked()).as("events acknowledged").isGreaterThan(1000);
        assertThat(v.lost()).as("stored events lost").isZero();
        assertThat(v.rawDuplicates()).as("duplicates in the raw topic").isZero();
        assertThat(v.enrichedDuplicates())
                .as("duplicates in the enriched topic")
                .isZero();
        assertThat(v.miscounted()).as("metric windows unlike the recount").isEmpty();
        assertThat(v.duplicatedAlerts()).as("alert records written twice").isZero();
        assertThat(v.wrongAnswers()).as("queries answered above the recount").isEmpty();
        assertThat(report.queryAnswers().keySet())
                .as("query answers: 200, or 503 with Retry-After")
                .isSubsetOf(Set.of("200", "503"));
        assertThat(report.queryAnswers().getOrDefault("200", 0L)).isPositive();
    }
}
