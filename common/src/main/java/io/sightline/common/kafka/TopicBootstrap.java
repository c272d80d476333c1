package io.sightline.common.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics if they are missing and brings the retention of existing
 * ones to what is configured ({@link RetentionClass}); nothing else of an existing topic
 * is changed, so it is safe to run on every start, install and upgrade.
 */
public final class TopicBootstrap {

    private static final Logger log = LoggerFactory.getLogger(TopicBootstrap.class);

    private TopicBootstrap() {}

    /**
     * The topics to create, with their configs; a pure function of the arguments.
     *
     * @param compacted         names among {@code topics} that keep only the latest value per key
     * @param minInsyncReplicas {@code min.insync.replicas} for every topic, or null for the broker's default
     * @param retentionMs       {@code retention.ms} of the topics that have one (the others keep the broker's)
     */
    public static List<NewTopic> plan(
            Collection<String> topics,
            Collection<String> compacted,
            int partitions,
            short replicationFactor,
            Integer minInsyncReplicas,
            Map<String, Long> retentionMs) {
        List<NewTopic> planned = new ArrayList<>();
        for (String name : topics) {
            Map<String, String> configs = new HashMap<>();
            if (minInsyncReplicas != null) {
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
            }
            if (compacted.contains(name)) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            } else if (retentionMs.containsKey(name)) {
                configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs.get(name)));
            }
            planned.add(new NewTopic(name, partitions, replicationFactor).configs(configs));
        }
        return planned;
    }

    /**
     * Creates the missing ones of {@code topics} with the broker's default {@code min.insync.replicas}
     * and the default retention of each {@link RetentionClass}.
     */
    public static void ensureTopics(
            Map<String, Object> adminProps,
            Collection<String> topics,
            Collection<String> compacted,
            int partitions,
            short replicationFactor) {
        ensureTopics(
                adminProps,
                plan(
                        topics,
                        compacted,
                        partitions,
                        replicationFactor,
                        null,
                        RetentionClass.perTopic(RetentionClass.defaults())));
    }

    /**
     * Creates the planned topics that are missing and sets the planned {@code retention.ms} on
     * the existing ones where it differs; returns the names it created.
     */
    public static List<String> ensureTopics(Map<String, Object> adminProps, List<NewTopic> planned) {
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<String> created = new ArrayList<>();
            for (NewTopic topic : planned) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    // Created meanwhile (another instance, or a listing that lagged behind): there it is, as wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            if (!created.isEmpty()) {
                log.info("Created topics {}", created);
            }
            alignRetention(
                    admin,
                    planned.stream()
                            .filter(t -> existing.contains(t.name())
                                    && t.configs().containsKey(TopicConfig.RETENTION_MS_CONFIG))
                            .toList());
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Cannot create topics on " + adminProps.get("bootstrap.servers") + ": "
                            + (e.getCause() == null
                                    ? e.getMessage()
                                    : e.getCause().getMessage())
                            + "; check SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS, the SIGHTLINE_KAFKA_* security settings and"
                            + " the replication factor (at most the number of brokers)",
                    e);
        }
    }

    /** Sets {@code retention.ms} of existing topics to the planned value where it differs. */
    private static void alignRetention(Admin admin, List<NewTopic> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (existing.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> current = admin.describeConfigs(existing.stream()
                        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                        .toList())
                .all()
                .get(60, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (NewTopic topic : existing) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
            String wanted = topic.configs().get(TopicConfig.RETENTION_MS_CONFIG);
            ConfigEntry entry = current.get(resource).get(TopicConfig.RETENTION_MS_CONFIG);
            String now = entry == null ? null : entry.value();
            if (!wanted.equals(now)) {
                changes.put(
                        resource,
                        List.of(new AlterConfigOp(
                                new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, wanted), AlterConfigOp.OpType.SET)));
                log.info("Retention of {}: {} ms -> {} ms", topic.name(), now, wanted);
            }
        }
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(60, TimeUnit.SECONDS);
        }
    }
}
