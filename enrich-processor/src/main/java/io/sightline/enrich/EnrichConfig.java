package io.sightline.enrich;

import io.sightline.common.config.ServiceConfig;
import io.sightline.common.streams.StreamsConfigs;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/** Settings of the enrich processor. */
public final class EnrichConfig extends ServiceConfig {

    public static final ConfigDef DEFINITION = StreamsConfigs.define(baseDefinition(8082), "sightline-enrich");

    public EnrichConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }
}
