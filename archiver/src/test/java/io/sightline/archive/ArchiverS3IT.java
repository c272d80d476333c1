package io.sightline.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.testkit.PipelineEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The archive in a bucket of a real S3 API server (S3Proxy on a directory, its own
 * process): files committed by PUT, found again by listing, rewritten on deletion.
 */
class ArchiverS3IT {

    private static final String BUCKET = "sightline-archive";

    @TempDir
    Path dir;

    private Process s3;
    private String endpoint;

    @BeforeEach
    void startS3() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        endpoint = "http://127.0.0.1:" + port;
        Path conf = dir.resolve("s3proxy.conf");
        Files.createDirectories(dir.resolve("s3"));
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        // Signed requests, as a real store takes them (the SDK signs its streamed uploads).
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=local",
                        "s3proxy.credential=local-secret",
                        "s3proxy.endpoint=" + endpoint,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + dir.resolve("s3")));
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar");
        assertThat(jar).as("copied by the build before the integration tests").exists();
        s3 = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "--properties",
                        conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "ArchiverS3IT-s3proxy.log").toFile())
                .start();
        // The SDK's default credentials chain reads these.
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local-secret");
        try (S3Client client = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .endpointOverride(URI.create(endpoint))
                .build()) {
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> client.createBucket(b -> b.bucket(BUCKET)) != null);
        }
    }

    @AfterEach
    void stopS3() {
        if (s3 != null) {
            s3.destroyForcibly();
        }
    }

    @Test
    void shouldCommitFilesToTheBucketAndRewriteADeletedUserOutOfThem() throws Exception {
        try (PipelineEnvironment env = PipelineEnvironment.start(dir.resolve("kafka"));
                S3ArchiveStore bucket = new S3ArchiveStore(BUCKET, "events/", endpoint, "us-east-1", true);
                ArchiverService archiver = ArchiverService.start(new ArchiveConfig(env.serviceEnv(
                        dir.resolve("state"),
                        Map.of(
                                "SIGHTLINE_ARCHIVE_S3_BUCKET",
                                BUCKET,
                                "SIGHTLINE_ARCHIVE_S3_ENDPOINT",
                                endpoint,
                                "SIGHTLINE_ARCHIVE_S3_PATH_STYLE",
                                "true",
                                "SIGHTLINE_ARCHIVE_SPOOL_DIR",
                                dir.resolve("spool").toString(),
                                "SIGHTLINE_ARCHIVE_FILE_MAX_AGE_MS",
                                "200"))))) {
            Instant received = Instant.now();
            for (int i = 0; i < 10; i++) {
                env.produce(Topics.EVENTS_ENRICHED, "kept", ArchiveFiles.event("kept-" + i, "kept", received));
                env.produce(Topics.EVENTS_ENRICHED, "gone", ArchiveFiles.event("gone-" + i, "gone", received));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> inBucket(bucket).size() == 20);
            assertThat(bucket.list())
                    .allSatisfy(
                            name -> assertThat(ArchiveFile.parse(name)).as(name).isPresent());

            env.produce(
                    Topics.PRIVACY_REGULATIONS,
                    Topics.erasureKey(SubjectType.USER_ID, "gone"),
                    new SubjectRegulation(
                            "r-1", RegulationType.DELETE_ONLY, SubjectType.USER_ID, "gone", Instant.now(), null));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> inBucket(bucket).stream()
                            .noneMatch(e -> e.getUserKey().equals("gone")));
            assertThat(inBucket(bucket))
                    .hasSize(10)
                    .allSatisfy(e -> assertThat(e.getUserKey()).isEqualTo("kept"));
        }
    }

    /** Every event in the bucket, read back through the store. */
    private List<EnrichedEvent> inBucket(S3ArchiveStore bucket) throws IOException {
        List<EnrichedEvent> events = new ArrayList<>();
        for (String name : bucket.list()) {
            Path copy = Files.createTempFile(dir, "read-", ".parquet");
            bucket.fetch(name, copy);
            events.addAll(EventsParquet.read(copy));
            Files.delete(copy);
        }
        return events;
    }
}
