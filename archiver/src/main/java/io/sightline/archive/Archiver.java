package io.sightline.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.SubjectRegulation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives {@code events.enriched.v1} into the {@link ArchiveStore}, one file per partition
 * and hour of receipt at a time, on one thread.
 *
 * <p><b>Exactly once.</b> A file holds contiguous offsets of one partition and is committed
 * by one atomic step (a rename, a PUT) under a name that states its offsets
 * ({@link ArchiveFile}); only then is the consumer offset committed, as a hint. On start,
 * and whenever partitions are assigned, the archiver reads the archive's names and goes on
 * after the highest last offset of each partition: a kill before the commit loses only the
 * spool file, whose records are read again; a kill after it reads nothing twice.
 *
 * <p><b>Deletion.</b> Events of a subject deleted after they were received are never
 * written, and when a deletion arrives every committed file is rewritten without the
 * subject's events (same name, atomic replace). Each pass ends with a receipt on
 * {@code privacy.erasure-receipts.v1}, so the regulation's {@code erasure:archiver} step
 * finishes.
 *
 * <p><b>Retention.</b> Hours older than the retention are deleted, checked every ten minutes.
 */
public final class Archiver implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);
    public static final String APPLICATION = "archiver";
    static final String ERASER = "erase-archive";
    private static final Duration RETENTION_CHECK = Duration.ofMinutes(10);

    private final ArchiveConfig config;
    private final ArchiveStore store;
    private final Topic<String, EnrichedEvent> enriched;
    private final KafkaConsumer<String, EnrichedEvent> consumer;
    private final Erasures erasures;
    private final KafkaProducer<String, ErasureReceipt> receipts;
    private final Topic<String, ErasureReceipt> receiptsTopic;
    private final Map<Integer, OpenFile> open = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile boolean ready;
    private final Counter archived;
    private final Counter skipped;
    private final Counter files;
    private final Counter rewritten;
    private long nextRetentionCheck;

    public Archiver(ArchiveConfig config, ArchiveStore store, Topics topics, MeterRegistry metrics) throws IOException {
        this.config = config;
        this.store = store;
        this.enriched = topics.eventsEnriched();
        Files.createDirectories(config.spoolDir());
        try (Stream<Path> leftovers = Files.list(config.spoolDir())) {
            for (Path p : leftovers.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(
                props, enriched.keySerde().deserializer(), enriched.valueSerde().deserializer());
        this.erasures = new Erasures(config.kafkaClientProperties(), topics.privacyRegulations());
        this.receiptsTopic = topics.privacyErasureReceipts();
        this.receipts = new KafkaProducer<>(
                io.sightline.common.kafka.KafkaDefaults.durableProducer(new HashMap<>(config.kafkaClientProperties())),
                receiptsTopic.keySerde().serializer(),
                receiptsTopic.valueSerde().serializer());
        this.archived = Counter.builder("sightline.archiver.events")
                .tag("outcome", "archived")
                .description("Events written to committed archive files")
                .register(metrics);
        this.skipped = Counter.builder("sightline.archiver.events")
                .tag("outcome", "erased")
                .description("Events not archived because their subject was deleted after they were received")
                .register(metrics);
        this.files = Counter.builder("sightline.archiver.files")
                .description("Files committed to the archive")
                .register(metrics);
        this.rewritten = Counter.builder("sightline.archiver.files.rewritten")
                .description("Archive files rewritten without deleted subjects")
                .register(metrics);
    }

    /** Whether it has its partitions and goes on from the archive's own record of what it holds. */
    public boolean isReady() {
        return ready;
    }

    @Override
    public void run() {
        try {
            // What was deleted before this start is honoured from the first record on.
            erasures.poll(Duration.ofSeconds(5));
            publishReceipt();
            consumer.subscribe(List.of(enriched.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(
                            p -> Optional.ofNullable(open.remove(p.partition())).ifPresent(OpenFile::discard));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    resume(partitions);
                    ready = true;
                }
            });
            while (running.get()) {
                for (ConsumerRecord<String, EnrichedEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    add(r);
                }
                commitDue(false);
                List<SubjectRegulation> deletions = erasures.poll(Duration.ZERO);
                if (!deletions.isEmpty()) {
                    commitDue(true);
                    rewriteWithoutDeleted();
                    publishReceipt();
                }
                expireOldHours();
            }
        } catch (WakeupException e) {
            // closing
        } catch (IOException | RuntimeException e) {
            LOG.error("The archiver stopped: {}", e.toString(), e);
            ready = false;
        } finally {
            open.values().forEach(OpenFile::discard);
            open.clear();
            consumer.close(Duration.ofSeconds(5));
            erasures.close();
            receipts.close(Duration.ofSeconds(5));
        }
    }

    /** Seeks each partition to just after the last offset the archive holds (or the committed hint, if later). */
    private void resume(Collection<TopicPartition> partitions) {
        Map<Integer, Long> archivedThrough = new HashMap<>();
        try {
            for (String name : store.list()) {
                ArchiveFile.parse(name).ifPresent(f -> archivedThrough.merge(f.partition(), f.lastOffset(), Math::max));
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot list the archive at " + store.location() + ": " + e.getMessage(), e);
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition p : partitions) {
            long fromArchive = archivedThrough.getOrDefault(p.partition(), -1L) + 1;
            OffsetAndMetadata hint = committed.get(p);
            long from = Math.max(fromArchive, hint == null ? 0 : hint.offset());
            if (fromArchive > 0 || hint != null) {
                consumer.seek(p, from);
            } else {
                consumer.seekToBeginning(List.of(p));
            }
        }
        LOG.info("Archiving partitions {} into {}", partitions, store.location());
    }

    private void add(ConsumerRecord<String, EnrichedEvent> r) throws IOException {
        EnrichedEvent event = r.value();
        Instant received = event == null || event.getEvent().getReceivedAt() == null
                ? Instant.ofEpochMilli(r.timestamp())
                : event.getEvent().getReceivedAt();
        OpenFile file = open.get(r.partition());
        // A new hour (forward) starts a new file; a straggler from an earlier hour stays in this one.
        if (file != null
                && (received.isAfter(file.hour().plus(Duration.ofHours(1)).minusMillis(1)))) {
            commit(r.partition(), file);
            file = null;
        }
        if (file == null) {
            file = new OpenFile(r.partition(), received, config.spoolDir());
            open.put(r.partition(), file);
        }
        if (event == null || erasures.erased(event)) {
            file.skip(r.offset());
            skipped.increment();
        } else {
            file.add(r.offset(), event);
        }
        if (file.records() >= config.fileMaxRecords()) {
            commit(r.partition(), file);
        }
    }

    /** Commits every file that is old enough, or every file. */
    private void commitDue(boolean all) throws IOException {
        long maxAge = config.fileMaxAge().toNanos();
        for (Map.Entry<Integer, OpenFile> e : new ArrayList<>(open.entrySet())) {
            if (all || e.getValue().ageNanos() >= maxAge) {
                commit(e.getKey(), e.getValue());
            }
        }
    }

    private void commit(int partition, OpenFile file) throws IOException {
        open.remove(partition);
        if (file.isEmpty()) {
            file.discard();
            return;
        }
        ArchiveFile committed = file.close();
        store.put(committed.name(), file.spool());
        Files.deleteIfExists(file.spool());
        files.increment();
        archived.increment(file.records());
        consumer.commitSync(Map.of(
                new TopicPartition(enriched.name(), partition), new OffsetAndMetadata(committed.lastOffset() + 1)));
    }

    /** Rewrites every committed file that holds events of a deleted subject, without them. */
    private void rewriteWithoutDeleted() throws IOException {
        int changed = 0;
        for (String name : store.list()) {
            if (ArchiveFile.parse(name).isEmpty()) {
                continue;
            }
            Path copy = Files.createTempFile(config.spoolDir(), "rewrite-", ".parquet");
            Path kept = Files.createTempFile(config.spoolDir(), "kept-", ".parquet");
            try {
                store.fetch(name, copy);
                List<EnrichedEvent> events = EventsParquet.read(copy);
                List<EnrichedEvent> keep =
                        events.stream().filter(e -> !erasures.erased(e)).toList();
                if (keep.size() < events.size()) {
                    EventsParquet.write(kept, keep);
                    store.put(name, kept);
                    changed++;
                    rewritten.increment();
                }
            } finally {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(kept);
            }
        }
        LOG.info("Erasure pass over the archive: {} files rewritten", changed);
    }

    private void publishReceipt() {
        String task = "0";
        receipts.send(new ProducerRecord<>(
                receiptsTopic.name(),
                APPLICATION + "/" + ERASER + "/" + task,
                new ErasureReceipt(APPLICATION, ERASER, task, erasures.readThrough(), Instant.now())));
        receipts.flush();
    }

    private void expireOldHours() throws IOException {
        long now = System.currentTimeMillis();
        if (now < nextRetentionCheck) {
            return;
        }
        nextRetentionCheck = now + RETENTION_CHECK.toMillis();
        Instant oldest = Instant.ofEpochMilli(now).minus(config.retention());
        int expired = 0;
        for (String name : store.list()) {
            Optional<ArchiveFile> file = ArchiveFile.parse(name);
            if (file.isPresent() && file.get().hour().plus(Duration.ofHours(1)).isBefore(oldest)) {
                store.delete(name);
                expired++;
            }
        }
        if (expired > 0) {
            LOG.info(
                    "Deleted {} archive files older than {} days",
                    expired,
                    config.retention().toDays());
        }
    }

    /** Asks the loop to stop; the thread running it closes the clients (they are not thread-safe). */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
