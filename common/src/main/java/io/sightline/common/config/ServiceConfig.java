package io.sightline.common.config;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Settings every Sightline service has: where Kafka and the schema registry are, and
 * its HTTP server (interface and port for the API or for health and metrics; for the
 * services browsers or people call, CORS origins and access tokens, declared here once
 * for all of them). Each service extends this with
 * its own {@link ConfigDef}; a bad value fails at start-up naming the variable to fix.
 */
public abstract class ServiceConfig extends AbstractConfig {

    public static final String KAFKA_BOOTSTRAP_SERVERS_CONFIG = "kafka.bootstrap.servers";
    private static final String KAFKA_BOOTSTRAP_SERVERS_DOC =
            "Kafka brokers to bootstrap from (host:port, comma-separated).";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "Base URL of a Confluent-API-compatible schema registry.";

    public static final String SCHEMA_REGISTRY_USER_INFO_CONFIG = "schema.registry.basic.auth.user.info";
    private static final String SCHEMA_REGISTRY_USER_INFO_DOC =
            "user:password for the schema registry's HTTP Basic auth; empty for none.";

    public static final String HTTP_HOST_CONFIG = "http.host";
    private static final String HTTP_HOST_DOC = "Interface the HTTP server binds to.";

    public static final String CORS_ALLOWED_ORIGINS_CONFIG = "cors.allowed.origins";
    private static final String CORS_ALLOWED_ORIGINS_DOC =
            "Origins whose browser code may call the service's API (CORS, with OPTIONS preflight),"
                    + " comma-separated full origins such as https://app.example.com, or * for any; empty refuses cross-origin calls.";

    public static final String HTTP_PORT_CONFIG = "http.port";
    private static final String HTTP_PORT_DOC =
            "Port of the service's HTTP server (API, /metrics, /health/live, /health/ready).";

    private final Map<String, String> env;

    protected ServiceConfig(ConfigDef definition, Map<String, String> env) {
        super(definition, checked(definition, env), false);
        this.env = Map.copyOf(env);
    }

    /** The settings every service shares; {@code defaultHttpPort} differs per service. */
    protected static ConfigDef baseDefinition(int defaultHttpPort) {
        return new ConfigDef()
                .define(
                        KAFKA_BOOTSTRAP_SERVERS_CONFIG,
                        Type.STRING,
                        "localhost:9092",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        KAFKA_BOOTSTRAP_SERVERS_DOC)
                .define(
                        SCHEMA_REGISTRY_URL_CONFIG,
                        Type.STRING,
                        "http://localhost:8090",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        SCHEMA_REGISTRY_URL_DOC)
                .define(
                        SCHEMA_REGISTRY_USER_INFO_CONFIG,
                        Type.PASSWORD,
                        "",
                        Importance.LOW,
                        SCHEMA_REGISTRY_USER_INFO_DOC)
                .define(HTTP_HOST_CONFIG, Type.STRING, "0.0.0.0", Importance.LOW, HTTP_HOST_DOC)
                .define(
                        HTTP_PORT_CONFIG,
                        Type.INT,
                        defaultHttpPort,
                        ConfigDef.Range.between(0, 65535),
                        Importance.MEDIUM,
                        HTTP_PORT_DOC);
    }

    /**
     * Adds the CORS setting, one name for every service that browsers call; {@code defaultOrigins}
     * differs (a gateway takes events from any site's pages, a query API from none until told).
     */
    protected static ConfigDef withCors(ConfigDef definition, String defaultOrigins) {
        return definition.define(
                CORS_ALLOWED_ORIGINS_CONFIG, Type.LIST, defaultOrigins, Importance.MEDIUM, CORS_ALLOWED_ORIGINS_DOC);
    }

    /** The origins allowed by {@code cors.allowed.origins}; none for services that do not define it ({@link #withCors}). */
    public List<String> corsAllowedOrigins() {
        if (!values().containsKey(CORS_ALLOWED_ORIGINS_CONFIG)) {
            return List.of();
        }
        return getList(CORS_ALLOWED_ORIGINS_CONFIG).stream()
                .map(String::trim)
                .filter(o -> !o.isEmpty())
                .toList();
    }

    /** Named tokens with scopes, for every service that takes tokens. */
    public static final String ACCESS_TOKENS_CONFIG = "access.tokens";

    public static final String ADVERTISED_ENDPOINT_CONFIG = "advertised.endpoint";
    private static final String ADVERTISED_ENDPOINT_DOC =
            "host:port at which other replicas reach this one's HTTP API (Streams' application.server); defaults to localhost and the HTTP port.";

    private static final String ACCESS_TOKENS_DOC = "Named tokens with scopes: ';'-separated entries"
            + " <name>=<token>@<scope>[,<scope>...], the token plain or as sha256:<hex of the token>; scopes"
            + " metrics:read (optionally limited: metrics:read[revenue|orders]), quality:read, users:read, admin."
            + " The name is what the audit log records.";

    /**
     * Adds the access tokens of one scope ({@code read}, {@code admin}) under one name for every
     * service: {@code <scope>.tokens}, bearer tokens, comma-separated, each plain or as
     * {@code sha256:<hex of the token>}; {@code what} says what the scope grants and what
     * an empty list means. Also adds {@code access.tokens}, named tokens with scopes, once.
     */
    protected static ConfigDef withTokens(ConfigDef definition, String scope, Importance importance, String what) {
        return withAccessTokens(definition, importance)
                .define(
                        tokensSetting(scope),
                        Type.PASSWORD,
                        "",
                        importance,
                        what + " Comma-separated bearer tokens, each plain or as sha256:<hex of the token>.");
    }

    /** Adds {@code access.tokens}, named tokens with scopes, once. */
    protected static ConfigDef withAccessTokens(ConfigDef definition, Importance importance) {
        if (!definition.names().contains(ACCESS_TOKENS_CONFIG)) {
            definition.define(ACCESS_TOKENS_CONFIG, Type.PASSWORD, "", importance, ACCESS_TOKENS_DOC);
        }
        return definition;
    }

    /** Adds {@code advertised.endpoint}: where the other instances of a Streams service reach this one. */
    protected static ConfigDef withAdvertisedEndpoint(ConfigDef definition) {
        return definition.define(ADVERTISED_ENDPOINT_CONFIG, Type.STRING, "", Importance.HIGH, ADVERTISED_ENDPOINT_DOC);
    }

    /**
     * Where the other instances reach this one: {@code advertised.endpoint}, or localhost and the HTTP
     * port; empty when neither is known (port 0, chosen at start, and nothing set).
     */
    public Optional<HostInfo> advertisedEndpoint() {
        String value = getString(ADVERTISED_ENDPOINT_CONFIG);
        if (value.isBlank()) {
            return httpPort() == 0 ? Optional.empty() : Optional.of(new HostInfo("localhost", httpPort()));
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException("SIGHTLINE_ADVERTISED_ENDPOINT must be host:port, got '" + value + "'");
        }
        try {
            return Optional.of(new HostInfo(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1))));
        } catch (NumberFormatException e) {
            throw new ConfigException("SIGHTLINE_ADVERTISED_ENDPOINT must end in a numeric port, got '" + value + "'");
        }
    }

    /** The {@code access.tokens} entries, as configured (parsed by the service's HTTP layer). */
    public String accessTokens() {
        return getPassword(ACCESS_TOKENS_CONFIG).value();
    }

    /** The tokens of {@code scope} (declared with {@link #withTokens}), blanks dropped. */
    public Set<String> tokens(String scope) {
        return Arrays.stream(getPassword(tokensSetting(scope)).value().split(","))
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    public static String tokensSetting(String scope) {
        return scope + ".tokens";
    }

    public String bootstrapServers() {
        return getString(KAFKA_BOOTSTRAP_SERVERS_CONFIG);
    }

    public String schemaRegistryUrl() {
        return getString(SCHEMA_REGISTRY_URL_CONFIG);
    }

    public String schemaRegistryUserInfo() {
        return getPassword(SCHEMA_REGISTRY_USER_INFO_CONFIG).value();
    }

    public String httpHost() {
        return getString(HTTP_HOST_CONFIG);
    }

    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    /**
     * Properties for any Kafka client: bootstrap servers plus everything passed
     * through as {@code SIGHTLINE_KAFKA_*} (security, SASL, TLS, tuning).
     */
    public Map<String, Object> kafkaClientProperties() {
        return Settings.kafkaClientProperties(bootstrapServers(), env);
    }

    private static Map<String, Object> checked(ConfigDef definition, Map<String, String> env) {
        Map<String, Object> values = Settings.fromEnv(definition, env);
        try {
            definition.parse(values);
        } catch (ConfigException e) {
            throw new ConfigException(
                    e.getMessage() + " (set it with " + namedVariable(definition, e.getMessage()) + ")");
        }
        return values;
    }

    private static String namedVariable(ConfigDef definition, String message) {
        return definition.names().stream()
                .filter(message::contains)
                .max((a, b) -> Integer.compare(a.length(), b.length()))
                .map(Settings::envName)
                .orElse("the matching SIGHTLINE_* environment variable");
    }
}
