package io.sightline.testkit;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * How fast a Streams app drains a backlog already on the broker, for the processors'
 * benchmarks: records per second once its group has committed a warm-up, until it has
 * committed every input (and internal repartition) record, then the size of its state
 * directory ({@code STATE}) and of its changelog topics ({@code CHANGELOG}).
 */
public final class StreamsDrain {

    private StreamsDrain() {}

    /**
     * Records per second after the warm-up: from when the group has committed {@code warmup}
     * input records until it has committed all {@code total}, internal topics included.
     */
    public static <A extends AutoCloseable> double recordsPerSecond(
            Admin admin,
            String group,
            Path stateDir,
            int warmup,
            int total,
            Supplier<A> start,
            Function<A, KafkaStreams> streamsOf)
            throws Exception {
        try (A app = start.get()) {
            KafkaStreams streams = streamsOf.apply(app);
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> streams.state() == KafkaStreams.State.RUNNING);
            long started = System.nanoTime();
            await().atMost(Duration.ofMinutes(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> committedInput(admin, group) >= warmup);
            long t0 = System.nanoTime();
            await().atMost(Duration.ofMinutes(15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> caughtUp(admin, group, total));
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "%s: warm-up of %d records in %.2f s, then %d records in %.2f s%n",
                    group, warmup, (t0 - started) / 1e9, total - warmup, seconds);
            System.out.printf(
                    "STATE %s %d%nCHANGELOG %s %d%n", group, stateBytes(stateDir), group, changelogBytes(admin, group));
            return (total - warmup) / seconds;
        }
    }

    /** Bytes of the regular files under an app's state directory (a stateless app may have none). */
    public static long stateBytes(Path stateDir) throws Exception {
        if (!Files.exists(stateDir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            // File.length, not Files.size: RocksDB may delete a file while we walk
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    /** Bytes on the brokers of the app's changelog topics ({@code <application id>-...-changelog}), all replicas. */
    public static long changelogBytes(Admin admin, String applicationId) throws Exception {
        List<Integer> brokers =
                admin.describeCluster().nodes().get().stream().map(Node::id).toList();
        return admin.describeLogDirs(brokers).allDescriptions().get().values().stream()
                .flatMap(dirs -> dirs.values().stream())
                .flatMap(d -> d.replicaInfos().entrySet().stream())
                .filter(e -> e.getKey().topic().startsWith(applicationId + "-")
                        && e.getKey().topic().endsWith("-changelog"))
                .mapToLong(e -> e.getValue().size())
                .sum();
    }

    /** Input records (internal topics not counted) the group has committed. */
    private static long committedInput(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> !e.getKey().topic().contains("-repartition") && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
    }

    private static boolean caughtUp(Admin admin, String group, int n) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        if (committed.isEmpty()) {
            return false;
        }
        Set<String> topics =
                committed.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics)
                .allTopicNames()
                .get()
                .forEach((name, d) -> d.partitions()
                        .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        var ends = admin.listOffsets(latest).all().get();
        long consumedSources = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            // transaction markers take one offset each, so an input is done when within a marker of its end
            if (c == null || c.offset() < e.getValue().offset() - 1) {
                return false;
            }
            if (!e.getKey().topic().contains("-repartition")) {
                consumedSources += c.offset();
            }
        }
        return consumedSources >= n;
    }
}
