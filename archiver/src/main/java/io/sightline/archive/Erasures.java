package io.sightline.archive;

import io.sightline.privacy.erasure.SubjectErasure;
import io.sightline.schemas.Topic;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The deletions the archive must honour, read from {@code privacy.regulations.v1} (whole
 * at start, then as they come): for each deleted user or device, when it was asked. An
 * event of a deleted subject received before its deletion is never archived, and the
 * files already archived are rewritten without it ({@link Archiver}).
 */
final class Erasures implements AutoCloseable {

    private final KafkaConsumer<String, SubjectRegulation> consumer;
    /** {@code <subjectType>:<subjectId>} to the time of its latest deletion. */
    private final Map<String, Instant> deleted = new HashMap<>();

    Erasures(Map<String, Object> clientProperties, Topic<String, SubjectRegulation> regulations) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sightline-archiver-regulations-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(
                props,
                regulations.keySerde().deserializer(),
                regulations.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(regulations.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(regulations.name(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what arrived; answers the deletions among it (an empty list when there were none). */
    List<SubjectRegulation> poll(Duration timeout) {
        List<SubjectRegulation> news = new ArrayList<>();
        for (ConsumerRecord<String, SubjectRegulation> r : consumer.poll(timeout)) {
            SubjectRegulation regulation = r.value();
            if (regulation != null && SubjectErasure.erases(regulation.getRegulationType())) {
                deleted.merge(
                        key(regulation.getSubjectType(), regulation.getSubjectId()),
                        regulation.getRequestedAt(),
                        (a, b) -> a.isAfter(b) ? a : b);
                news.add(regulation);
            }
        }
        return news;
    }

    /** Whether the event belongs to a subject deleted after it was received. */
    boolean erased(EnrichedEvent event) {
        if (deleted.isEmpty()) {
            return false;
        }
        Instant received = event.getEvent().getReceivedAt();
        return before(
                        received,
                        deleted.get(key(SubjectType.USER_ID, event.getEvent().getUserId())))
                || before(
                        received,
                        deleted.get(
                                key(SubjectType.ANONYMOUS_ID, event.getEvent().getAnonymousId())))
                || before(received, deleted.get(key(SubjectType.USER_ID, event.getUserKey())))
                || before(received, deleted.get(key(SubjectType.ANONYMOUS_ID, event.getUserKey())));
    }

    private static boolean before(Instant received, Instant deletedAt) {
        return deletedAt != null && (received == null || !received.isAfter(deletedAt));
    }

    private static String key(SubjectType type, String id) {
        return type.name() + ":" + id;
    }

    /** Per partition of the regulations topic (as a decimal string), the last offset read. */
    Map<String, Long> readThrough() {
        Map<String, Long> through = new TreeMap<>();
        for (TopicPartition p : consumer.assignment()) {
            long next = consumer.position(p);
            if (next > 0) {
                through.put(Integer.toString(p.partition()), next - 1);
            }
        }
        return through;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
