package io.sightline.anomaly;

import io.sightline.anomaly.detection.DetectorSettings;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsConfigs;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the anomaly processor. */
public final class AnomalyConfig extends ServiceConfig {

    public static final String HISTORY_WINDOWS_CONFIG = "detector.history.windows";
    private static final String HISTORY_WINDOWS_DOC = "How many recent windows of a series form its baseline.";

    public static final String MIN_HISTORY_CONFIG = "detector.min.history";
    private static final String MIN_HISTORY_DOC = "Windows of history a series needs before it can alert (it is 'learning' until then).";

    public static final String THRESHOLD_CONFIG = "detector.threshold";
    private static final String THRESHOLD_DOC = "Robust z-score (deviation from the median in MAD units) at which an alert fires.";

    public static final String RESOLVE_THRESHOLD_CONFIG = "detector.resolve.threshold";
    private static final String RESOLVE_THRESHOLD_DOC = "Robust z-score below which a firing alert resolves; lower than the threshold so alerts do not flap.";

    public static final String MIN_VOLUME_CONFIG = "detector.min.volume";
    private static final String MIN_VOLUME_DOC = "No alerts for series whose observed and expected values are both below this.";

    public static final ConfigDef DEFINITION = StreamsConfigs.define(baseDefinition(8084), "sightline-anomaly")
            .define(HISTORY_WINDOWS_CONFIG, Type.INT, 30, ConfigDef.Range.between(3, 1000), Importance.MEDIUM, HISTORY_WINDOWS_DOC)
            .define(MIN_HISTORY_CONFIG, Type.INT, 5, ConfigDef.Range.atLeast(2), Importance.MEDIUM, MIN_HISTORY_DOC)
            .define(THRESHOLD_CONFIG, Type.DOUBLE, 4.0, ConfigDef.Range.atLeast(0.5), Importance.MEDIUM, THRESHOLD_DOC)
            .define(RESOLVE_THRESHOLD_CONFIG, Type.DOUBLE, 2.0, ConfigDef.Range.atLeast(0.0), Importance.MEDIUM, RESOLVE_THRESHOLD_DOC)
            .define(MIN_VOLUME_CONFIG, Type.DOUBLE, 5.0, ConfigDef.Range.atLeast(0.0), Importance.MEDIUM, MIN_VOLUME_DOC);

    public AnomalyConfig(Map<String, String> env) {
        super(DEFINITION, env);
        if (getDouble(RESOLVE_THRESHOLD_CONFIG) >= getDouble(THRESHOLD_CONFIG)) {
            throw new ConfigException("SIGHTLINE_DETECTOR_RESOLVE_THRESHOLD must be lower than SIGHTLINE_DETECTOR_THRESHOLD, or alerts flap");
        }
        if (getInt(MIN_HISTORY_CONFIG) > getInt(HISTORY_WINDOWS_CONFIG)) {
            throw new ConfigException("SIGHTLINE_DETECTOR_MIN_HISTORY must not exceed SIGHTLINE_DETECTOR_HISTORY_WINDOWS");
        }
    }

    public DetectorSettings detectorSettings() {
        return new DetectorSettings(getInt(HISTORY_WINDOWS_CONFIG), getInt(MIN_HISTORY_CONFIG), getDouble(THRESHOLD_CONFIG),
                getDouble(RESOLVE_THRESHOLD_CONFIG), getDouble(MIN_VOLUME_CONFIG));
    }
}
