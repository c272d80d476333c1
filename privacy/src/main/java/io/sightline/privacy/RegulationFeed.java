package io.sightline.privacy;

import io.sightline.common.kafka.CompactedTopicFollower;
import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.RegulationState;
import io.sightline.schemas.avro.RegulationStatus;
import io.sightline.schemas.avro.RegulationStep;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroDeserializer;
import io.sightline.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Regulations in every replica: follows {@code privacy.regulations.v1} into the
 * {@link SuppressionList} and {@code privacy.regulation-status.v1} into the requests'
 * statuses, and submits new requests. A suppression applies in every gateway replica
 * within a poll of being written (200 ms), and survives restarts: the topics are
 * compacted and read whole at start.
 */
public final class RegulationFeed implements AutoCloseable {

    /** The step that stops collection at the gateways. */
    public static final String SUPPRESSION_STEP = "suppression";

    private final SuppressionList suppressions;
    private final Map<String, RegulationStatus> statuses = new ConcurrentHashMap<>();
    /** Requests this replica submitted and waits for: how many of their subjects it applied. */
    private final Map<String, Applied> awaiting = new ConcurrentHashMap<>();

    private final CompactedTopicFollower<SubjectRegulation> subjects;
    private final CompactedTopicFollower<RegulationStatus> requests;
    private final KafkaProducer<String, SpecificRecord> producer;

    public RegulationFeed(
            Map<String, Object> clientProperties,
            SchemaRegistryClient registry,
            SuppressionList suppressions,
            String clientId) {
        this.suppressions = suppressions;
        this.subjects = new CompactedTopicFollower<>(
                Topics.PRIVACY_REGULATIONS,
                clientProperties,
                new AvroDeserializer<>(registry, SubjectRegulation.class),
                clientId + "-regulations",
                (key, regulation) -> {
                    if (regulation != null) {
                        suppressions.apply(regulation);
                        Applied applied = awaiting.get(regulation.getRegulationId());
                        if (applied != null) {
                            applied.one();
                        }
                    }
                });
        this.requests = new CompactedTopicFollower<>(
                Topics.PRIVACY_REGULATION_STATUS,
                clientProperties,
                new AvroDeserializer<>(registry, RegulationStatus.class),
                clientId + "-regulation-status",
                (id, status) -> {
                    if (status != null) {
                        statuses.put(id, status);
                    }
                });
        Map<String, Object> producerProps = KafkaDefaults.durableProducer(new HashMap<>(clientProperties));
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-regulations-publisher");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new AvroSerializer<>(registry));
    }

    /** Whether the regulations written before start are all applied: until then suppression is incomplete. */
    public boolean isLoaded() {
        return subjects.isLoaded() && requests.isLoaded();
    }

    /**
     * Records a request and its subjects, and waits until this replica applies them; the
     * other replicas apply them within a poll. Answers the request's status.
     *
     * @param requestedBy the credential's scope or name, never the token
     */
    public RegulationStatus submit(RegulationRequest request, String requestedBy, Duration timeout) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        long deadline = System.nanoTime() + timeout.toNanos();
        RegulationStatus status = RegulationStatus.newBuilder()
                .setRegulationId(id)
                .setRegulationType(request.regulationType())
                .setSubjectType(request.subjectType())
                .setSubjectCount(request.subjectIds().size())
                .setRequestedBy(requestedBy)
                .setRequestedAt(now)
                .setOverallStatus(RegulationState.RUNNING)
                .setSteps(List.of(new RegulationStep(SUPPRESSION_STEP, RegulationState.RUNNING, now, null, null)))
                .build();
        send(Topics.PRIVACY_REGULATION_STATUS, id, status, deadline);
        Applied applied = new Applied();
        awaiting.put(id, applied);
        List<Future<?>> writes = new ArrayList<>(request.subjectIds().size());
        for (String subjectId : request.subjectIds()) {
            SubjectRegulation regulation =
                    new SubjectRegulation(id, request.regulationType(), request.subjectType(), subjectId, now, null);
            writes.add(producer.send(new ProducerRecord<>(
                    Topics.PRIVACY_REGULATIONS, Topics.subjectKey(request.subjectType(), subjectId), regulation)));
        }
        RegulationStatus done;
        try {
            for (Future<?> write : writes) {
                write.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            }
            if (!applied.await(request.subjectIds().size(), deadline)) {
                throw new TimeoutException("this replica did not apply every subject in time");
            }
            done = finished(status, RegulationState.FINISHED, null);
        } catch (ExecutionException | TimeoutException e) {
            done = finished(status, RegulationState.FAILED, "not stored or not applied in time: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = finished(status, RegulationState.FAILED, "interrupted");
        } finally {
            awaiting.remove(id);
        }
        send(
                Topics.PRIVACY_REGULATION_STATUS,
                id,
                done,
                System.nanoTime() + Duration.ofSeconds(10).toNanos());
        return done;
    }

    /** The status of a request, as every replica knows it. */
    public Optional<RegulationStatus> status(String regulationId) {
        return Optional.ofNullable(statuses.get(regulationId));
    }

    /** Every request, newest first. */
    public List<RegulationStatus> statuses() {
        return statuses.values().stream()
                .sorted(Comparator.comparing(RegulationStatus::getRequestedAt).reversed())
                .toList();
    }

    public SuppressionList suppressions() {
        return suppressions;
    }

    /** Whether a type stops collection (it has a suppression step). */
    public static boolean suppresses(RegulationType type) {
        return type == RegulationType.SUPPRESS
                || type == RegulationType.SUPPRESS_WITH_DELETE
                || type == RegulationType.UNSUPPRESS;
    }

    private static RegulationStatus finished(RegulationStatus status, RegulationState state, String detail) {
        Instant now = Instant.now();
        List<RegulationStep> steps = new ArrayList<>();
        for (RegulationStep step : status.getSteps()) {
            steps.add(new RegulationStep(step.getName(), state, step.getStartedAt(), now, detail));
        }
        return RegulationStatus.newBuilder(status)
                .setOverallStatus(state)
                .setSteps(steps)
                .build();
    }

    private void send(String topic, String key, SpecificRecord value, long deadline) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value))
                    .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not store the regulation: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing the regulation", e);
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Counts the subjects of one request as the feed applies them, for the request's submitter to wait on. */
    private static final class Applied {
        private int count;

        synchronized void one() {
            count++;
            notifyAll();
        }

        synchronized boolean await(int subjects, long deadline) throws InterruptedException {
            while (count < subjects) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        subjects.close();
        requests.close();
        producer.close(Duration.ofSeconds(5));
    }
}
