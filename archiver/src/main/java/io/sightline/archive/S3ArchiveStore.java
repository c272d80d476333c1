package io.sightline.archive;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive in a bucket of an S3-compatible store (AWS S3, MinIO, Ceph, R2, ...), under
 * a prefix. A PUT makes an object visible whole or not at all, which is the commit;
 * credentials come from the SDK's default chain (environment, profile, instance role).
 */
public final class S3ArchiveStore implements ArchiveStore, AutoCloseable {

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3ArchiveStore(String bucket, String prefix, String endpoint, String region, boolean pathStyle) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(region))
                .forcePathStyle(pathStyle)
                // Checksums only where S3 requires them: many S3-compatible stores refuse the SDK's
                // default trailing checksums (x-amz-trailer).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Plain uploads with a Content-Length: some stores keep "aws-chunked" as the object's
                // Content-Encoding, and then no client can read it back.
                .serviceConfiguration(
                        S3Configuration.builder().chunkedEncodingEnabled(false).build());
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        this.s3 = builder.build();
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    @Override
    public void put(String name, Path file) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(prefix + name), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw new IOException(
                    "cannot put " + name + " in s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try {
            String token = null;
            do {
                ListObjectsV2Request.Builder request =
                        ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
                if (token != null) {
                    request.continuationToken(token);
                }
                ListObjectsV2Response page = s3.listObjectsV2(request.build());
                for (S3Object o : page.contents()) {
                    // Some stores list "directories" as empty objects whose key ends with a slash.
                    if (!o.key().endsWith("/")) {
                        names.add(o.key().substring(prefix.length()));
                    }
                }
                token = page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw new IOException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
        return names;
    }

    @Override
    public void fetch(String name, Path into) throws IOException {
        try {
            try (var object = s3.getObject(b -> b.bucket(bucket).key(prefix + name))) {
                java.nio.file.Files.copy(object, into, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (SdkException e) {
            throw new IOException(
                    "cannot get " + name + " from s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(prefix + name));
        } catch (SdkException e) {
            throw new IOException(
                    "cannot delete " + name + " from s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public void close() {
        s3.close();
    }
}
