package io.sightline.anomaly.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.anomaly.detection.AlertLifecycle.Phase;
import io.sightline.anomaly.rules.RuleSet;
import io.sightline.schemas.avro.AlertState;
import io.sightline.schemas.avro.AlertStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alert lifecycle: pending, firing, re-notified, resolved, cooling down; and only the declared transitions. */
class AlertLifecycleTest {

    private static final long MINUTE = 60_000;
    private static final Evaluation EVALUATION = new Evaluation(10, 1, 0, 2, 9, 1, "seasonal", BaselineState.READY);

    private final AlertLifecycle lifecycle = new AlertLifecycle(RuleSet.parse(
                    RuleSet.base(Map.of()),
                    "defaults:\n  resolveWindows: 2\n  cooldown: 3\n  renotify: PT10M\n",
                    "test")
            .defaults());
    private final Map<String, AlertState> alerts = new HashMap<>();
    private final List<Transition> out = new ArrayList<>();

    private void window(int minute, boolean fire, boolean resolve) {
        lifecycle.advance(
                alerts,
                new AlertLifecycle.Verdict("anomaly", fire, resolve, EVALUATION, true, 2, "warning"),
                minute * MINUTE,
                MINUTE,
                out);
    }

    private Phase phaseAt(int minute) {
        return Phase.of(alerts.get("anomaly"), minute * MINUTE);
    }

    @Test
    void firesAfterFiringWindowsResolvesAfterResolveWindowsThenCoolsDown() {
        window(0, true, false);
        assertThat(out).isEmpty();
        assertThat(phaseAt(1)).isEqualTo(Phase.PENDING);

        window(1, true, false);
        assertThat(out).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo(AlertStatus.firing);
            assertThat(t.startsAt()).isEqualTo(0); // it began with the first window that met the condition
        });
        assertThat(phaseAt(2)).isEqualTo(Phase.FIRING);

        window(11, false, false); // still deviating ten minutes on: notified again
        assertThat(out)
                .hasSize(2)
                .last()
                .satisfies(t -> assertThat(t.renotification()).isTrue());

        window(12, false, true);
        assertThat(phaseAt(13)).isEqualTo(Phase.FIRING); // one quiet window is not enough
        window(13, false, true);
        assertThat(out).hasSize(3).last().satisfies(t -> {
            assertThat(t.status()).isEqualTo(AlertStatus.resolved);
            assertThat(t.endsAt()).isEqualTo(14 * MINUTE);
        });

        assertThat(phaseAt(14)).isEqualTo(Phase.COOLING_DOWN);
        window(14, true, false);
        window(15, true, false);
        window(16, true, false);
        assertThat(out).hasSize(3); // one anomaly, one alert
        assertThat(phaseAt(17)).isEqualTo(Phase.INACTIVE);
    }

    @Test
    void aPendingAlertThatStopsDeviatingLeavesNoState() {
        window(0, true, false);
        window(1, false, true);
        assertThat(alerts).isEmpty();
        assertThat(out).isEmpty();
    }

    @Test
    void declaresWhichPhaseCanFollowWhich() {
        assertThat(Phase.INACTIVE.isValidTransition(Phase.COOLING_DOWN)).isFalse();
        assertThat(Phase.PENDING.isValidTransition(Phase.COOLING_DOWN)).isFalse();
        assertThat(Phase.COOLING_DOWN.isValidTransition(Phase.PENDING)).isFalse();
        assertThat(Phase.FIRING.isValidTransition(Phase.PENDING)).isFalse();
        assertThat(Phase.PENDING.isValidTransition(Phase.FIRING)).isTrue();
        assertThat(Phase.FIRING.isValidTransition(Phase.COOLING_DOWN)).isTrue();
    }
}
