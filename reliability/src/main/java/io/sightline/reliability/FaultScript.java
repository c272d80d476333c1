package io.sightline.reliability;

import static org.awaitility.Awaitility.await;

import io.sightline.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The faults of a run, one after another under load, each logged with its time, what was
 * done, and how long until the cluster recovered: every part running answers
 * {@code /health/ready}, the raw topic is fully replicated again, and the gateways
 * acknowledge events again.
 */
public final class FaultScript {

    /** One fault as it happened. */
    public record Fault(Instant at, String fault, String action, double recoverySeconds) {}

    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(4);

    private final ClusterProcesses cluster;
    private final EventLoad load;
    private final Consumer<String> progress;
    private final List<Fault> log = new ArrayList<>();

    public FaultScript(ClusterProcesses cluster, EventLoad load, Consumer<String> progress) {
        this.cluster = cluster;
        this.load = load;
        this.progress = progress;
    }

    /** SIGKILLs the broker leading most raw-topic partitions, restarts it {@code down} later. */
    public void killRawLeader(Duration down) {
        String broker = cluster.leaderOf(Topics.EVENTS_RAW);
        inject("SIGKILL leader broker " + broker, "restarted after " + down.toSeconds() + " s", () -> {
            cluster.kill(broker);
            waitFor(down);
            cluster.restart(broker);
        });
    }

    /** SIGKILLs the first instance of {@code application} and starts it again on its state directory. */
    public void killInstance(String application) {
        String instance = cluster.instances(application).get(0);
        inject("SIGKILL " + instance, "restarted at once on the same state directory", () -> {
            cluster.kill(instance);
            cluster.restart(instance);
        });
    }

    /**
     * Freezes the first instance of {@code application} (SIGSTOP) for {@code frozen}, longer
     * than its session timeout, so the group moves its tasks and fences it; then lets it run.
     */
    public void pauseInstance(String application, Duration frozen) {
        String instance = cluster.instances(application).get(0);
        inject("SIGSTOP " + instance + " for " + frozen.toSeconds() + " s", "SIGCONT: fenced, rejoins", () -> {
            cluster.pause(instance);
            waitFor(frozen);
            cluster.resume(instance);
        });
    }

    /** Scales {@code application} from its instances now to {@code target}: new ones start, the newest stop. */
    public void scale(String application, int target) {
        int now = cluster.instances(application).size();
        inject("scale " + application + " " + now + " -> " + target, "graceful stop / start", () -> {
            for (int i = now; i < target; i++) {
                cluster.startInstance(application);
            }
            List<String> instances = cluster.instances(application);
            for (int i = instances.size() - 1; i >= target; i--) {
                cluster.stop(instances.get(i));
            }
        });
    }

    /** Upgrades {@code instance} to the classes in {@code classes}: graceful stop, start on the new version. */
    public void upgrade(String instance, Path classes) {
        inject(
                "upgrade " + instance,
                "SIGTERM, then start on the new schema version",
                () -> cluster.upgrade(instance, classes));
    }

    /** Restarts every serving replica, one at a time, while queries run. */
    public void rollServing() {
        for (String replica : cluster.instances("serving-api")) {
            inject("restart " + replica, "SIGTERM, then start; the other replica answers", () -> {
                cluster.stop(replica);
                cluster.restart(replica);
            });
        }
    }

    private void inject(String fault, String action, Runnable doIt) {
        Instant at = Instant.now();
        progress.accept(at + " fault: " + fault);
        long started = System.nanoTime();
        doIt.run();
        awaitRecovered();
        double seconds = (System.nanoTime() - started) / 1e9;
        log.add(new Fault(at, fault, action, seconds));
        progress.accept(String.format(java.util.Locale.ROOT, "  recovered in %.1f s", seconds));
    }

    private void awaitRecovered() {
        List<String> parts = new ArrayList<>();
        parts.addAll(cluster.instances("broker"));
        parts.addAll(cluster.instances("gateway"));
        ClusterProcesses.APPLICATIONS.forEach(a -> parts.addAll(cluster.instances(a)));
        cluster.awaitReady(parts, RECOVERY_TIMEOUT);
        await().alias("raw topic fully replicated")
                .atMost(RECOVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> cluster.fullyReplicated(Topics.EVENTS_RAW));
        long acked = load.acked();
        await().alias("gateways acknowledge events again")
                .atMost(RECOVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> load.acked() > acked);
    }

    private static void waitFor(Duration d) {
        // A fault's duration is the point, not a guess at when something is done.
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<Fault> log() {
        return List.copyOf(log);
    }
}
