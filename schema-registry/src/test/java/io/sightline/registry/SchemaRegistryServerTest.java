package io.sightline.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.embedded.kafka.EmbeddedKafkaCluster;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryServerTest {

    private static final Schema V1 = new Schema.Parser().parse("""
            {"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}""");
    private static final Schema V2 = new Schema.Parser().parse("""
            {"type":"record","name":"Order","fields":[{"name":"id","type":"string"},
             {"name":"total","type":"double","default":0.0}]}""");
    private static final Schema BREAKING = new Schema.Parser().parse("""
            {"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}""");

    @TempDir
    static Path dataDir;

    static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafkaCluster.singleNode(dataDir, 0);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    private static SchemaRegistryServer startRegistry() {
        return SchemaRegistryServer.start(new RegistryConfig(
                Map.of("SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "SIGHTLINE_HTTP_PORT", "0")));
    }

    @Test
    void shouldServeTheConfluentApiAndKeepIdsAcrossARestart() throws Exception {
        int v1Id;
        try (SchemaRegistryServer registry = startRegistry()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());

            v1Id = client.register("orders-value", V1);
            int v2Id = client.register("orders-value", V2);

            assertThat(v2Id).isNotEqualTo(v1Id);
            assertThat(new RestSchemaRegistryClient(registry.url()).getById(v1Id))
                    .isEqualTo(V1);
            assertThat(client.lookup("orders-value", V2))
                    .get()
                    .extracting(r -> r.version())
                    .isEqualTo(2);
            assertThat(client.isCompatible("orders-value", BREAKING)).isFalse();
            assertThatThrownBy(() -> client.register("orders-value", BREAKING))
                    .isInstanceOf(SchemaRegistryException.class)
                    .extracting(e -> ((SchemaRegistryException) e).errorCode())
                    .isEqualTo(409);
        }

        try (SchemaRegistryServer restarted = startRegistry()) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(restarted.url());
            assertThat(client.getById(v1Id)).isEqualTo(V1);
            assertThat(client.latest("orders-value"))
                    .get()
                    .extracting(r -> r.version())
                    .isEqualTo(2);
            assertThat(client.register("orders-value", V1)).isEqualTo(v1Id);
        }
    }

    @Test
    void shouldAnswerConfluentErrorCodesAndCompatibilityConfig() throws Exception {
        try (SchemaRegistryServer registry = startRegistry()) {
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> missing = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/schemas/ids/9999"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("\"error_code\":40403");

            HttpResponse<String> global = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/config"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(global.body()).contains("\"compatibilityLevel\":\"BACKWARD\"");

            HttpResponse<String> set = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/config/loose-value"))
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"NONE\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(set.body()).contains("\"compatibility\":\"NONE\"");

            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
            client.register("loose-value", V1);
            assertThat(client.isCompatible("loose-value", BREAKING)).isTrue();

            HttpResponse<String> badLevel = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/config"))
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"SIDEWAYS\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(badLevel.statusCode()).isEqualTo(422);
            assertThat(badLevel.body()).contains("42203").contains("SIDEWAYS");
        }
    }
}
