package io.sightline.deploy;

import io.sightline.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates every topic in {@link Topics#ALL} that is missing, with the configured
 * partitions, replication factor and {@code min.insync.replicas}; {@link Topics#COMPACTED}
 * topics are compacted. Existing topics are left as they are, so the job is safe to
 * run on every install and upgrade.
 */
public final class TopicCreator {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {
    }

    /** The topics this job would create, with their configs; a pure function of the settings. */
    public static List<NewTopic> plan(TopicsConfig config) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : Topics.ALL) {
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(config.minInsyncReplicas()));
            if (Topics.COMPACTED.contains(name)) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            topics.add(new NewTopic(name, config.partitions(), config.replicationFactor()).configs(configs));
        }
        return topics;
    }

    /** Creates the missing topics; returns the names it created. */
    public static List<String> createMissing(TopicsConfig config) {
        Map<String, Object> props = config.adminProperties();
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = plan(config).stream().filter(t -> !existing.contains(t.name())).toList();
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    // Created meanwhile (another run, or a listing that lagged behind): there it is, as wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            log.info("Topics created: {}; already present: {}", created,
                    Topics.ALL.stream().filter(t -> !created.contains(t)).toList());
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topics on " + props.get("bootstrap.servers") + ": "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage())
                    + "; check SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS, the SIGHTLINE_KAFKA_* security settings and"
                    + " SIGHTLINE_TOPICS_REPLICATION_FACTOR (at most the number of brokers)", e);
        }
    }

    public static void main(String[] args) {
        createMissing(new TopicsConfig(System.getenv()));
    }
}
