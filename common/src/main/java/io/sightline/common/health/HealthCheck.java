package io.sightline.common.health;

import java.util.Map;

/**
 * What {@code /health/live} and {@code /health/ready} answer. Liveness says "restart me
 * if false", so it must stay true through rebalances and restores; readiness says
 * "send me traffic".
 */
public interface HealthCheck {

    boolean isLive();

    boolean isReady();

    /** Extra facts shown in the health answers (state names, lag), never secrets. */
    default Map<String, Object> details() {
        return Map.of();
    }

    /** Live and ready only when every check is. */
    static HealthCheck allOf(HealthCheck... checks) {
        return new HealthCheck() {
            @Override
            public boolean isLive() {
                for (HealthCheck c : checks) {
                    if (!c.isLive()) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public boolean isReady() {
                for (HealthCheck c : checks) {
                    if (!c.isReady()) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Map<String, Object> details() {
                Map<String, Object> all = new java.util.LinkedHashMap<>();
                for (HealthCheck c : checks) {
                    all.putAll(c.details());
                }
                return all;
            }
        };
    }
}
