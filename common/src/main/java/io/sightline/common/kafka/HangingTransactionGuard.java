package io.sightline.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.common.concurrent.DaemonScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds transactions left open for good ("hanging") on the partitions an application
 * reads and aborts them, as an operator would with {@code kafka-transactions.sh find-hanging}
 * and {@code abort} (KIP-664). A hanging transaction holds every {@code read_committed}
 * reader at its first offset: an instance restoring a changelog behind one never finishes
 * restoring, and a processor reading such a partition stops. Seen on a three-broker
 * cluster after broker kills under load (docs/reliability.md).
 *
 * <p>A transaction is aborted only when both hold: it has stayed open at the same offset,
 * producer and epoch for {@code abortAfter} of wall-clock time, far beyond any transaction
 * timeout Streams uses; and its transaction coordinator no longer has it as an ongoing
 * transaction of that producer epoch on that partition, so no producer will ever end it.
 */
public final class HangingTransactionGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HangingTransactionGuard.class);
    public static final String METRIC = "sightline.pipeline.hanging.transactions.aborted";

    /** A transaction open on one partition, as the partition leader describes it. */
    public record OpenTransaction(
            TopicPartition partition, long producerId, int producerEpoch, int coordinatorEpoch, long startOffset) {}

    /** What the coordinator holds for one producer id: its epoch, state and partitions. */
    record CoordinatorView(int producerEpoch, TransactionState state, Set<TopicPartition> partitions) {}

    private final Admin admin;
    private final Predicate<String> watched;
    private final Duration abortAfter;
    private final Clock clock;
    private final Counter aborted;
    private final Map<OpenTransaction, Long> firstSeenMillis = new HashMap<>();
    private String lastFailure;
    private final ScheduledExecutorService scheduler = DaemonScheduler.singleThread("hanging-transaction-guard");

    /**
     * @param watched which topics to watch, applied to the cluster's topics at every check (internal
     *     topics appear after start)
     * @param stage the application, as the metric's {@code stage} tag
     */
    public HangingTransactionGuard(
            Map<String, Object> adminProperties,
            Predicate<String> watched,
            Duration abortAfter,
            String stage,
            MeterRegistry registry,
            Clock clock) {
        this.admin = Admin.create(adminProperties);
        this.watched = watched;
        this.abortAfter = abortAfter;
        this.clock = clock;
        this.aborted = Counter.builder(METRIC)
                .description("Transactions found hanging (open, and unknown to their coordinator) and aborted")
                .tag("stage", stage)
                .register(registry);
    }

    /** Checks every {@code interval} on a daemon thread. */
    public HangingTransactionGuard start(Duration interval) {
        scheduler.scheduleWithFixedDelay(
                this::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkQuietly() {
        try {
            check();
            lastFailure = null;
        } catch (Exception e) {
            // Said once per kind of failure, not every interval.
            if (!e.toString().equals(lastFailure)) {
                log.warn("Cannot check for hanging transactions; retrying every interval: {}", e.toString());
                lastFailure = e.toString();
            }
        }
    }

    /** One check: answers the transactions aborted. */
    public List<OpenTransaction> check() throws Exception {
        List<OpenTransaction> open = openTransactions();
        long now = clock.millis();
        firstSeenMillis.keySet().retainAll(new HashSet<>(open));
        open.forEach(t -> firstSeenMillis.putIfAbsent(t, now));
        List<OpenTransaction> old = open.stream()
                .filter(t -> now - firstSeenMillis.get(t) >= abortAfter.toMillis())
                .toList();
        if (old.isEmpty()) {
            return List.of();
        }
        List<OpenTransaction> hanging = hanging(old, coordinatorViews(old));
        for (OpenTransaction t : hanging) {
            long openSeconds = (now - firstSeenMillis.get(t)) / 1000;
            admin.abortTransaction(new AbortTransactionSpec(
                            t.partition(), t.producerId(), (short) t.producerEpoch(), t.coordinatorEpoch()))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            aborted.increment();
            firstSeenMillis.remove(t);
            log.warn(
                    "Aborted a hanging transaction on {} (producer {} epoch {}, open from offset {} for {} s, unknown to"
                            + " its coordinator): it held every read_committed reader of the partition at that offset",
                    t.partition(),
                    t.producerId(),
                    t.producerEpoch(),
                    t.startOffset(),
                    openSeconds);
        }
        return hanging;
    }

    /** Of the long-open transactions, those their coordinator does not hold as ongoing: nobody will end them. */
    static List<OpenTransaction> hanging(List<OpenTransaction> longOpen, Map<Long, CoordinatorView> coordinator) {
        List<OpenTransaction> out = new ArrayList<>();
        for (OpenTransaction t : longOpen) {
            CoordinatorView view = coordinator.get(t.producerId());
            boolean held = view != null
                    && view.producerEpoch() == t.producerEpoch()
                    && view.state() != TransactionState.COMPLETE_COMMIT
                    && view.state() != TransactionState.COMPLETE_ABORT
                    && view.state() != TransactionState.EMPTY
                    && view.partitions().contains(t.partition());
            if (!held) {
                out.add(t);
            }
        }
        return out;
    }

    /** The transactions open on the watched topics' partitions now, as their leaders describe them. */
    public List<OpenTransaction> openTransactions() throws Exception {
        List<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(watched)
                .toList();
        if (names.isEmpty()) {
            return List.of();
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription d : admin.describeTopics(names)
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .values()) {
            d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
        }
        List<OpenTransaction> open = new ArrayList<>();
        admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).forEach((tp, state) -> {
            for (ProducerState p : state.activeProducers()) {
                if (p.currentTransactionStartOffset().isPresent()) {
                    open.add(new OpenTransaction(
                            tp,
                            p.producerId(),
                            p.producerEpoch(),
                            p.coordinatorEpoch().orElse(-1),
                            p.currentTransactionStartOffset().getAsLong()));
                }
            }
        });
        return open;
    }

    private Map<Long, CoordinatorView> coordinatorViews(List<OpenTransaction> transactions) throws Exception {
        Set<Long> producerIds = new HashSet<>();
        transactions.forEach(t -> producerIds.add(t.producerId()));
        Collection<TransactionListing> listings = admin.listTransactions(
                        new ListTransactionsOptions().filterProducerIds(producerIds))
                .all()
                .get(30, TimeUnit.SECONDS);
        Map<Long, CoordinatorView> views = new HashMap<>();
        if (listings.isEmpty()) {
            return views;
        }
        Map<String, TransactionDescription> descriptions = admin.describeTransactions(listings.stream()
                        .map(TransactionListing::transactionalId)
                        .toList())
                .all()
                .get(30, TimeUnit.SECONDS);
        descriptions
                .values()
                .forEach(d -> views.put(
                        d.producerId(), new CoordinatorView(d.producerEpoch(), d.state(), d.topicPartitions())));
        return views;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
