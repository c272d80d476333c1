package io.sightline.ingest;

import io.sightline.common.config.ServiceConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the ingest gateway. */
public final class GatewayConfig extends ServiceConfig {

    public static final String WRITE_KEYS_CONFIG = "write.keys";
    private static final String WRITE_KEYS_DOC = "Accepted write keys and the source each one maps to, as key:source pairs, comma-separated.";

    public static final String ACK_TIMEOUT_MS_CONFIG = "ack.timeout.ms";
    private static final String ACK_TIMEOUT_MS_DOC = "How long a request waits for Kafka to acknowledge its events before answering 503.";

    public static final String MAX_REQUEST_BYTES_CONFIG = "max.request.bytes";
    private static final String MAX_REQUEST_BYTES_DOC = "Largest request body accepted (after decompression); larger requests get 413.";

    public static final String MAX_EVENT_BYTES_CONFIG = "max.event.bytes";
    private static final String MAX_EVENT_BYTES_DOC = "Largest single event accepted; larger events are rejected with 413 (or per item in a batch).";

    public static final String MAX_BATCH_ITEMS_CONFIG = "max.batch.items";
    private static final String MAX_BATCH_ITEMS_DOC = "Most events accepted in one batch request.";

    public static final ConfigDef DEFINITION = baseDefinition(8080)
            .define(WRITE_KEYS_CONFIG, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, WRITE_KEYS_DOC)
            .define(ACK_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.MEDIUM, ACK_TIMEOUT_MS_DOC)
            .define(MAX_REQUEST_BYTES_CONFIG, Type.INT, 500 * 1024, ConfigDef.Range.atLeast(1024), Importance.MEDIUM, MAX_REQUEST_BYTES_DOC)
            .define(MAX_EVENT_BYTES_CONFIG, Type.INT, 32 * 1024, ConfigDef.Range.atLeast(256), Importance.MEDIUM, MAX_EVENT_BYTES_DOC)
            .define(MAX_BATCH_ITEMS_CONFIG, Type.INT, 2500, ConfigDef.Range.atLeast(1), Importance.MEDIUM, MAX_BATCH_ITEMS_DOC);

    private final Map<String, String> sourcesByWriteKey;

    public GatewayConfig(Map<String, String> env) {
        super(DEFINITION, env);
        this.sourcesByWriteKey = parseWriteKeys(getPassword(WRITE_KEYS_CONFIG).value());
    }

    /** Write key to source name. */
    public Map<String, String> sourcesByWriteKey() {
        return sourcesByWriteKey;
    }

    public long ackTimeoutMs() {
        return getLong(ACK_TIMEOUT_MS_CONFIG);
    }

    public int maxRequestBytes() {
        return getInt(MAX_REQUEST_BYTES_CONFIG);
    }

    public int maxEventBytes() {
        return getInt(MAX_EVENT_BYTES_CONFIG);
    }

    public int maxBatchItems() {
        return getInt(MAX_BATCH_ITEMS_CONFIG);
    }

    private static Map<String, String> parseWriteKeys(String value) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : List.of(value.split(","))) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                throw new ConfigException("SIGHTLINE_WRITE_KEYS must hold key:source pairs separated by commas; one entry has no ':source' part");
            }
            keys.put(trimmed.substring(0, colon), trimmed.substring(colon + 1));
        }
        if (keys.isEmpty()) {
            throw new ConfigException("SIGHTLINE_WRITE_KEYS is empty: set at least one key:source pair, e.g. local-dev-key:local");
        }
        return Map.copyOf(keys);
    }
}
