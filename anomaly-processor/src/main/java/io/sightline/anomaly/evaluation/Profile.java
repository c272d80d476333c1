package io.sightline.anomaly.evaluation;

import java.util.List;

/**
 * A NAB application profile: how much a true positive, a false positive and a missed
 * window weigh (NAB's {@code config/profiles.json}).
 */
public record Profile(String name, double tpWeight, double fpWeight, double fnWeight) {

    public static final Profile STANDARD = new Profile("standard", 1.0, 0.11, 1.0);
    public static final Profile REWARD_LOW_FP = new Profile("reward_low_FP_rate", 1.0, 0.22, 1.0);
    public static final Profile REWARD_LOW_FN = new Profile("reward_low_FN_rate", 1.0, 0.11, 2.0);

    public static final List<Profile> ALL = List.of(STANDARD, REWARD_LOW_FP, REWARD_LOW_FN);
}
