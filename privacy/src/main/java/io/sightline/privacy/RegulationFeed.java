package io.sightline.privacy;

import io.sightline.common.kafka.CompactedTopicFollower;
import io.sightline.common.kafka.KafkaDefaults;
import io.sightline.privacy.erasure.SubjectErasure;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.ErasureReceipt;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Regulations in every replica: follows {@code privacy.regulations.v1} into the
 * {@link SuppressionList}, {@code privacy.regulation-status.v1} into the requests'
 * statuses and {@code privacy.erasure-receipts.v1} into how far each Streams task erased,
 * and submits new requests. A suppression applies in every gateway replica within a poll
 * of being written (200 ms), and survives restarts: the topics are compacted and read
 * whole at start. A request's erasure step for an application finishes when every task of
 * that application reports it has read past the request's last subject record; the first
 * replica to see that writes the finished status.
 */
public final class RegulationFeed implements AutoCloseable {

    /** The step that stops collection at the gateways. */
    public static final String SUPPRESSION_STEP = "suppression";
    /** The prefix of the steps that erase stored state, one per application holding per-user state. */
    public static final String ERASURE_STEP_PREFIX = "erasure:";
    /** The Streams applications that hold per-user state, each with an erasure step. */
    public static final List<String> ERASING_APPLICATIONS = List.of("enrich-processor", "aggregate-processor");

    private final SuppressionList suppressions;
    private final Map<String, RegulationStatus> statuses = new ConcurrentHashMap<>();
    /** Requests this replica submitted and waits for: how many of their subjects it applied. */
    private final Map<String, Applied> awaiting = new ConcurrentHashMap<>();
    /** Each erasing task's latest receipt, by {@code <application>/<processor>/<task>}. */
    private final Map<String, ErasureReceipt> receipts = new ConcurrentHashMap<>();
    /**
     * Steps this replica found finished ({@code <regulation>/<step>}), with when: every status it
     * writes carries all of them, so a write built on a status read before an earlier one came
     * back cannot undo that earlier finish.
     */
    private final Map<String, Instant> finishedHere = new ConcurrentHashMap<>();

    private final CompactedTopicFollower<SubjectRegulation> subjects;
    private final CompactedTopicFollower<RegulationStatus> requests;
    private final CompactedTopicFollower<ErasureReceipt> erasures;
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
                        finishErasures();
                    }
                });
        this.erasures = new CompactedTopicFollower<>(
                Topics.PRIVACY_ERASURE_RECEIPTS,
                clientProperties,
                new AvroDeserializer<>(registry, ErasureReceipt.class),
                clientId + "-erasure-receipts",
                (key, receipt) -> {
                    if (receipt == null) {
                        receipts.remove(key);
                    } else {
                        receipts.put(key, receipt);
                        finishErasures();
                    }
                });
        Map<String, Object> producerProps = KafkaDefaults.durableProducer(new HashMap<>(clientProperties));
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-regulations-publisher");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new AvroSerializer<>(registry));
    }

    /** Whether the regulations written before start are all applied: until then suppression is incomplete. */
    public boolean isLoaded() {
        return subjects.isLoaded() && requests.isLoaded() && erasures.isLoaded();
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
        RegulationType type = request.regulationType();
        List<RegulationStep> steps = new ArrayList<>();
        if (suppresses(type)) {
            steps.add(new RegulationStep(SUPPRESSION_STEP, RegulationState.RUNNING, now, null, null));
        }
        if (SubjectErasure.erases(type)) {
            for (String application : erasingApplications()) {
                steps.add(new RegulationStep(
                        ERASURE_STEP_PREFIX + application, RegulationState.INITIALIZED, null, null, null));
            }
        }
        RegulationStatus status = RegulationStatus.newBuilder()
                .setRegulationId(id)
                .setRegulationType(type)
                .setSubjectType(request.subjectType())
                .setSubjectCount(request.subjectIds().size())
                .setRequestedBy(requestedBy)
                .setRequestedAt(now)
                .setOverallStatus(RegulationState.RUNNING)
                .setSteps(steps)
                .build();
        send(Topics.PRIVACY_REGULATION_STATUS, id, status, deadline);
        Applied applied = new Applied();
        awaiting.put(id, applied);
        List<Future<RecordMetadata>> writes =
                new ArrayList<>(request.subjectIds().size());
        for (String subjectId : request.subjectIds()) {
            SubjectRegulation regulation = new SubjectRegulation(id, type, request.subjectType(), subjectId, now, null);
            String key = type == RegulationType.DELETE_ONLY
                    ? Topics.erasureKey(request.subjectType(), subjectId)
                    : Topics.subjectKey(request.subjectType(), subjectId);
            writes.add(producer.send(new ProducerRecord<>(Topics.PRIVACY_REGULATIONS, key, regulation)));
        }
        RegulationStatus stored;
        try {
            Map<String, Long> positions = new TreeMap<>();
            for (Future<RecordMetadata> write : writes) {
                RecordMetadata written = write.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                positions.merge(Integer.toString(written.partition()), written.offset(), Math::max);
            }
            if (!applied.await(request.subjectIds().size(), deadline)) {
                throw new TimeoutException("this replica did not apply every subject in time");
            }
            stored = stored(status, positions);
        } catch (ExecutionException | TimeoutException e) {
            stored = failed(status, "not stored or not applied in time: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stored = failed(status, "interrupted");
        } finally {
            awaiting.remove(id);
        }
        send(
                Topics.PRIVACY_REGULATION_STATUS,
                id,
                stored,
                System.nanoTime() + Duration.ofSeconds(10).toNanos());
        return stored;
    }

    /**
     * The applications a deletion waits for: the Streams applications that hold per-user state,
     * and any other that has reported erasing (the archiver, once deployed: it reports at start).
     */
    List<String> erasingApplications() {
        List<String> applications = new ArrayList<>(ERASING_APPLICATIONS);
        receipts.values().stream()
                .map(ErasureReceipt::getApplication)
                .distinct()
                .sorted()
                .filter(a -> !applications.contains(a))
                .forEach(applications::add);
        return applications;
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

    /** Stored and applied here: suppression is done, and erasure starts, to finish at these positions. */
    private static RegulationStatus stored(RegulationStatus status, Map<String, Long> positions) {
        Instant now = Instant.now();
        List<RegulationStep> steps = new ArrayList<>();
        for (RegulationStep step : status.getSteps()) {
            steps.add(
                    step.getName().equals(SUPPRESSION_STEP)
                            ? new RegulationStep(
                                    step.getName(), RegulationState.FINISHED, step.getStartedAt(), now, null)
                            : new RegulationStep(step.getName(), RegulationState.RUNNING, now, null, null));
        }
        return withSteps(status, steps).setPositions(positions).build();
    }

    private static RegulationStatus failed(RegulationStatus status, String detail) {
        Instant now = Instant.now();
        List<RegulationStep> steps = new ArrayList<>();
        for (RegulationStep step : status.getSteps()) {
            steps.add(new RegulationStep(step.getName(), RegulationState.FAILED, step.getStartedAt(), now, detail));
        }
        return withSteps(status, steps).build();
    }

    /** The status with these steps; finished once every step is. */
    private static RegulationStatus.Builder withSteps(RegulationStatus status, List<RegulationStep> steps) {
        RegulationState overall = steps.stream().anyMatch(s -> s.getStatus() == RegulationState.FAILED)
                ? RegulationState.FAILED
                : steps.stream().allMatch(s -> s.getStatus() == RegulationState.FINISHED)
                        ? RegulationState.FINISHED
                        : RegulationState.RUNNING;
        return RegulationStatus.newBuilder(status).setOverallStatus(overall).setSteps(steps);
    }

    /** Writes as finished the erasure steps that every task of their application has read past. */
    private synchronized void finishErasures() {
        if (!requests.isLoaded() || !erasures.isLoaded()) {
            return; // decide on whole knowledge only
        }
        for (RegulationStatus status : statuses.values()) {
            if (status.getOverallStatus() != RegulationState.RUNNING || status.getPositions() == null) {
                continue;
            }
            Optional<RegulationStatus> finished = withFinishedErasures(
                    status,
                    finishedHere,
                    application -> erasedThrough(application, status.getPositions()),
                    Instant.now());
            finished.ifPresent(
                    f -> producer.send(new ProducerRecord<>(Topics.PRIVACY_REGULATION_STATUS, f.getRegulationId(), f)));
        }
    }

    /**
     * The status with every erasure step finished that {@code finished} holds or whose application
     * has now erased through the request's positions (added to {@code finished} at {@code now});
     * empty when no step changes.
     */
    static Optional<RegulationStatus> withFinishedErasures(
            RegulationStatus status, Map<String, Instant> finished, Predicate<String> erasedThrough, Instant now) {
        List<RegulationStep> steps = new ArrayList<>(status.getSteps());
        boolean changed = false;
        for (int i = 0; i < steps.size(); i++) {
            RegulationStep step = steps.get(i);
            if (step.getStatus() != RegulationState.RUNNING || !step.getName().startsWith(ERASURE_STEP_PREFIX)) {
                continue;
            }
            String mark = status.getRegulationId() + "/" + step.getName();
            Instant finishedAt = finished.get(mark);
            if (finishedAt == null && erasedThrough.test(step.getName().substring(ERASURE_STEP_PREFIX.length()))) {
                finishedAt = now;
                finished.put(mark, now);
            }
            if (finishedAt != null) {
                steps.set(
                        i,
                        new RegulationStep(
                                step.getName(), RegulationState.FINISHED, step.getStartedAt(), finishedAt, null));
                changed = true;
            }
        }
        return changed ? Optional.of(withSteps(status, steps).build()) : Optional.empty();
    }

    /** Whether every task of the application that erases has read the regulations topic through the positions. */
    private boolean erasedThrough(String application, Map<String, Long> positions) {
        List<ErasureReceipt> tasks = receipts.values().stream()
                .filter(r -> r.getApplication().equals(application))
                .toList();
        return !tasks.isEmpty()
                && tasks.stream()
                        .allMatch(r -> positions.entrySet().stream()
                                .allMatch(p -> r.getErasedThrough().getOrDefault(p.getKey(), -1L) >= p.getValue()));
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
        erasures.close();
        producer.close(Duration.ofSeconds(5));
    }
}
