package io.sightline.archive;

import io.sightline.common.config.ServiceConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the archiver, the cold tier. */
public final class ArchiveConfig extends ServiceConfig {

    public static final String DIR_CONFIG = "archive.dir";
    public static final String SPOOL_DIR_CONFIG = "archive.spool.dir";
    public static final String S3_BUCKET_CONFIG = "archive.s3.bucket";
    public static final String S3_PREFIX_CONFIG = "archive.s3.prefix";
    public static final String S3_ENDPOINT_CONFIG = "archive.s3.endpoint";
    public static final String S3_REGION_CONFIG = "archive.s3.region";
    public static final String S3_PATH_STYLE_CONFIG = "archive.s3.path.style";
    public static final String FILE_MAX_RECORDS_CONFIG = "archive.file.max.records";
    public static final String FILE_MAX_AGE_MS_CONFIG = "archive.file.max.age.ms";
    public static final String RETENTION_DAYS_CONFIG = "archive.retention.days";
    public static final String GROUP_ID_CONFIG = "archive.group.id";

    private static final String TMP = System.getProperty("java.io.tmpdir") + File.separator;

    public static final ConfigDef DEFINITION = baseDefinition(8085)
            .define(
                    DIR_CONFIG,
                    Type.STRING,
                    TMP + "sightline-archive",
                    Importance.HIGH,
                    "Directory of the archive when no S3 bucket is set: a persistent volume.")
            .define(
                    SPOOL_DIR_CONFIG,
                    Type.STRING,
                    TMP + "sightline-archive-spool",
                    Importance.LOW,
                    "Local directory of the files being written, before they are committed to the archive.")
            .define(
                    S3_BUCKET_CONFIG,
                    Type.STRING,
                    "",
                    Importance.HIGH,
                    "Bucket of an S3-compatible store to archive to; empty archives to archive.dir. Credentials"
                            + " come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID, a profile, an instance role).")
            .define(
                    S3_PREFIX_CONFIG,
                    Type.STRING,
                    "events/",
                    Importance.MEDIUM,
                    "Key prefix of the archive in the bucket.")
            .define(
                    S3_ENDPOINT_CONFIG,
                    Type.STRING,
                    "",
                    Importance.MEDIUM,
                    "Endpoint of an S3-compatible store other than AWS (MinIO, Ceph, R2), e.g. http://minio:9000.")
            .define(S3_REGION_CONFIG, Type.STRING, "us-east-1", Importance.MEDIUM, "Region of the bucket.")
            .define(
                    S3_PATH_STYLE_CONFIG,
                    Type.BOOLEAN,
                    false,
                    Importance.LOW,
                    "Address the bucket in the path (http://host/bucket/key), as MinIO and most self-hosted stores need.")
            .define(
                    FILE_MAX_RECORDS_CONFIG,
                    Type.INT,
                    100_000,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "Most events in one file: a file is committed when it holds this many.")
            .define(
                    FILE_MAX_AGE_MS_CONFIG,
                    Type.LONG,
                    Duration.ofMinutes(5).toMillis(),
                    ConfigDef.Range.atLeast(100),
                    Importance.MEDIUM,
                    "Longest a file stays open: events reach the archive within this (plus the pipeline's lag).")
            .define(
                    RETENTION_DAYS_CONFIG,
                    Type.INT,
                    730,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    "Days an hour of the archive is kept; older hours are deleted.")
            .define(
                    GROUP_ID_CONFIG,
                    Type.STRING,
                    "sightline-archiver",
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    "Consumer group of the archiver. Run one instance: the archive's file names are its commit log.");

    public ArchiveConfig(Map<String, String> env) {
        super(DEFINITION, env);
    }

    /** The configured store: the bucket when one is set, else the directory. */
    public ArchiveStore store() throws IOException {
        String bucket = getString(S3_BUCKET_CONFIG);
        if (!bucket.isBlank()) {
            return new S3ArchiveStore(
                    bucket,
                    getString(S3_PREFIX_CONFIG),
                    getString(S3_ENDPOINT_CONFIG),
                    getString(S3_REGION_CONFIG),
                    getBoolean(S3_PATH_STYLE_CONFIG));
        }
        return new LocalArchiveStore(Path.of(getString(DIR_CONFIG)));
    }

    public Path spoolDir() {
        return Path.of(getString(SPOOL_DIR_CONFIG));
    }

    public int fileMaxRecords() {
        return getInt(FILE_MAX_RECORDS_CONFIG);
    }

    public Duration fileMaxAge() {
        return Duration.ofMillis(getLong(FILE_MAX_AGE_MS_CONFIG));
    }

    public Duration retention() {
        return Duration.ofDays(getInt(RETENTION_DAYS_CONFIG));
    }

    public String groupId() {
        return getString(GROUP_ID_CONFIG);
    }
}
