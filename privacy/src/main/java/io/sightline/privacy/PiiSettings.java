package io.sightline.privacy;

import java.util.List;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The PII settings, declared once for every service that masks personal data: the enrich
 * processor before events leave it, the gateway in the dead letters it keeps. Both hash
 * with the same keys and secret, so a masked value means the same everywhere.
 */
public final class PiiSettings {

    public static final String PII_KEYS_CONFIG = "pii.keys";
    private static final String PII_KEYS_DOC =
            "Trait, property and context keys (any depth, case-insensitive) whose values are replaced by a keyed hash (hmac:<hex>) before events leave the enrich processor, and in the payloads of dead letters.";

    public static final String PII_HASH_SECRET_CONFIG = "pii.hash.secret";
    private static final String PII_HASH_SECRET_DOC =
            "Secret key of the HMAC-SHA256 that hashes PII values, the same for every service; empty uses a fixed development key: set a secret in production.";

    /** The key used when no secret is set: the enrich processor's default application id, as before this setting was shared. */
    static final String DEVELOPMENT_SECRET = "sightline-enrich";

    private PiiSettings() {}

    public static ConfigDef define(ConfigDef definition) {
        return definition
                .define(PII_KEYS_CONFIG, Type.LIST, "email,phone", Importance.MEDIUM, PII_KEYS_DOC)
                .define(PII_HASH_SECRET_CONFIG, Type.PASSWORD, "", Importance.HIGH, PII_HASH_SECRET_DOC);
    }

    public static List<String> keys(AbstractConfig config) {
        return config.getList(PII_KEYS_CONFIG);
    }

    public static String secret(AbstractConfig config) {
        String secret = config.getPassword(PII_HASH_SECRET_CONFIG).value();
        return secret.isEmpty() ? DEVELOPMENT_SECRET : secret;
    }

    public static PiiHasher hasher(AbstractConfig config) {
        return new PiiHasher(keys(config), secret(config));
    }
}
