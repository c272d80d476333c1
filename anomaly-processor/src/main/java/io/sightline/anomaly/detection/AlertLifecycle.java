package io.sightline.anomaly.detection;

import io.sightline.anomaly.rules.MetricRule;
import io.sightline.schemas.avro.AlertState;
import io.sightline.schemas.avro.AlertStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of one rule's alert on one series: {@code firingWindows} consecutive
 * windows meeting the firing condition fire it, {@code resolveWindows} consecutive
 * complete windows meeting the resolve condition resolve it, it is notified again every
 * {@code renotify} while it fires, and after a resolution it stays quiet for
 * {@code cooldownWindows} (one anomaly, one alert). The phases and their valid
 * transitions are declared in {@link Phase}, as {@code KafkaStreams.State} declares
 * its own; the counters persist in the series' {@link AlertState}.
 */
final class AlertLifecycle {

    /** Where a rule's alert on a series stands, derived from its {@link AlertState} at a window. */
    enum Phase {
        /** Nothing open: the rule's entry is absent (or left at zero). */
        INACTIVE,
        /** Complete windows met the firing condition, fewer than {@code firingWindows} so far. */
        PENDING,
        /** Fired and not yet resolved. */
        FIRING,
        /** Resolved a moment ago: does not fire again before the cooldown ends. */
        COOLING_DOWN;

        private Set<Phase> next() {
            return switch (this) {
                case INACTIVE -> Set.of(INACTIVE, PENDING, FIRING);
                case PENDING -> Set.of(PENDING, FIRING, INACTIVE);
                case FIRING -> Set.of(FIRING, COOLING_DOWN, INACTIVE);
                // A window revised by late events fires even while cooling down: it is another anomaly.
                case COOLING_DOWN -> Set.of(COOLING_DOWN, INACTIVE, FIRING);
            };
        }

        boolean isValidTransition(Phase to) {
            return next().contains(to);
        }

        static Phase of(AlertState state, long windowStart) {
            if (state == null) {
                return INACTIVE;
            }
            if (state.getFiringSince() != null) {
                return FIRING;
            }
            if (windowStart < state.getQuietUntil()) {
                return COOLING_DOWN;
            }
            return state.getPending() > 0 ? PENDING : INACTIVE;
        }
    }

    /**
     * What one window says of one rule.
     *
     * @param complete      the window is complete (an update of the window still filling can fire, nothing else)
     * @param firingWindows consecutive windows meeting {@code fire} that fire the alert
     */
    record Verdict(
            String rule,
            boolean fire,
            boolean resolve,
            Evaluation evaluation,
            boolean complete,
            int firingWindows,
            String severity) {}

    private final int resolveWindows;
    private final int cooldownWindows;
    private final long renotifyMillis;

    AlertLifecycle(MetricRule rule) {
        this.resolveWindows = rule.resolveWindows();
        this.cooldownWindows = rule.cooldownWindows();
        this.renotifyMillis = rule.renotifyMillis();
    }

    /** Moves the rule's alert on by the window starting at {@code start}, adding any alert to {@code out}. */
    void advance(Map<String, AlertState> alerts, Verdict v, long start, long windowMillis, List<Transition> out) {
        AlertState st = alerts.get(v.rule());
        Phase from = Phase.of(st, start);
        Phase to = switch (from) {
            case COOLING_DOWN -> from;
            case INACTIVE, PENDING -> notFiring(alerts, st, v, start, windowMillis, out);
            case FIRING -> v.complete() ? firing(alerts, st, v, start, windowMillis, out) : from;
        };
        check(v.rule(), from, to);
    }

    private static void check(String rule, Phase from, Phase to) {
        if (!from.isValidTransition(to)) {
            throw new IllegalStateException("alert " + rule + " cannot go from " + from + " to " + to);
        }
    }

    boolean isFiring(Map<String, AlertState> alerts, String rule) {
        AlertState st = alerts.get(rule);
        return st != null && st.getFiringSince() != null;
    }

    /** Fires the rule's alert on a window that late events revised into an anomaly; the caller checked it is not firing. */
    void fireOnRevision(
            Map<String, AlertState> alerts,
            String rule,
            Evaluation evaluation,
            long start,
            String severity,
            List<Transition> out) {
        check(rule, Phase.of(alerts.get(rule), start), Phase.FIRING);
        alerts.put(rule, new AlertState(start, 0, 0, start, 0L));
        out.add(new Transition(rule, AlertStatus.firing, evaluation, start, start, null, severity, false, true));
    }

    private Phase notFiring(
            Map<String, AlertState> alerts,
            AlertState st,
            Verdict v,
            long start,
            long windowMillis,
            List<Transition> out) {
        if (!v.fire()) {
            if (v.complete() && st != null) {
                alerts.remove(v.rule()); // keep the map small
                return Phase.INACTIVE;
            }
            return Phase.of(st, start);
        }
        int held = (st == null ? 0 : st.getPending()) + 1;
        if (held >= v.firingWindows()) {
            long since = start - (long) (held - 1) * windowMillis;
            alerts.put(v.rule(), new AlertState(since, 0, 0, start, st == null ? 0L : st.getQuietUntil()));
            out.add(new Transition(
                    v.rule(), AlertStatus.firing, v.evaluation(), start, since, null, v.severity(), false, false));
            return Phase.FIRING;
        }
        if (!v.complete()) {
            return Phase.of(st, start); // only a complete window counts towards firingWindows
        }
        if (st == null) {
            alerts.put(v.rule(), new AlertState(null, held, 0, 0L, 0L));
        } else {
            st.setPending(held);
        }
        return Phase.PENDING;
    }

    private Phase firing(
            Map<String, AlertState> alerts,
            AlertState st,
            Verdict v,
            long start,
            long windowMillis,
            List<Transition> out) {
        if (!v.resolve()) {
            st.setClear(0);
            if (renotifyMillis > 0 && start - st.getLastNotified() >= renotifyMillis) {
                st.setLastNotified(start);
                out.add(new Transition(
                        v.rule(),
                        AlertStatus.firing,
                        v.evaluation(),
                        start,
                        st.getFiringSince(),
                        null,
                        v.severity(),
                        true,
                        false));
            }
            return Phase.FIRING;
        }
        st.setClear(st.getClear() + 1);
        if (st.getClear() < resolveWindows) {
            return Phase.FIRING;
        }
        out.add(new Transition(
                v.rule(),
                AlertStatus.resolved,
                v.evaluation(),
                start,
                st.getFiringSince(),
                start + windowMillis,
                v.severity(),
                false,
                false));
        if (cooldownWindows > 0) {
            alerts.put(
                    v.rule(),
                    new AlertState(
                            null, 0, 0, st.getLastNotified(), start + (long) (cooldownWindows + 1) * windowMillis));
            return Phase.COOLING_DOWN;
        }
        alerts.remove(v.rule());
        return Phase.INACTIVE;
    }
}
