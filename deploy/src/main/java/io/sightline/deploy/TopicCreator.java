package io.sightline.deploy;

import io.sightline.common.config.ConfigFile;
import io.sightline.common.kafka.RetentionClass;
import io.sightline.common.kafka.TopicBootstrap;
import io.sightline.schemas.Topics;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates every topic in {@link Topics#ALL} that is missing, with the configured
 * partitions, replication factor, {@code min.insync.replicas} and retention per class;
 * {@link Topics#COMPACTED} topics are compacted. Of existing topics only the retention is
 * brought to what is configured, so the job is safe to run on every install and upgrade.
 */
public final class TopicCreator {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {}

    /** The topics this job would create, with their configs; a pure function of the settings. */
    public static List<NewTopic> plan(TopicsConfig config) {
        return TopicBootstrap.plan(
                Topics.ALL,
                Topics.COMPACTED,
                config.partitions(),
                config.replicationFactor(),
                config.minInsyncReplicas(),
                RetentionClass.perTopic(config.retention()));
    }

    /** Creates the missing topics; returns the names it created. */
    public static List<String> createMissing(TopicsConfig config) {
        List<String> created = TopicBootstrap.ensureTopics(config.adminProperties(), plan(config));
        log.info(
                "Topics created: {}; already present: {}",
                created,
                Topics.ALL.stream().filter(t -> !created.contains(t)).toList());
        return created;
    }

    public static void main(String[] args) {
        createMissing(new TopicsConfig(ConfigFile.withEnvironment(System.getenv())));
    }
}
