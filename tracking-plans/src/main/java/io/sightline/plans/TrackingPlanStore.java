package io.sightline.plans;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.schemas.avro.TrackingPlanVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every known version of every plan, compiled once, readable by any thread while the
 * plan feed adds versions.
 */
public final class TrackingPlanStore {

    private static final Logger log = LoggerFactory.getLogger(TrackingPlanStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrackingPlanCompiler compiler = new TrackingPlanCompiler();
    private final Map<String, NavigableMap<Integer, TrackingPlan>> plans = new ConcurrentHashMap<>();

    /** Adds a published version; one that no longer compiles (written under other rules) is logged and skipped. */
    public void apply(TrackingPlanVersion published) {
        try {
            JsonNode document = JSON.readTree(published.getDocument());
            add(compiler.compile(published.getName(), published.getVersion(), document));
        } catch (IOException | InvalidPlanException e) {
            log.warn("tracking plan {}@{} skipped: {}", published.getName(), published.getVersion(), e.getMessage());
        }
    }

    public void add(TrackingPlan plan) {
        plans.computeIfAbsent(plan.name(), n -> new ConcurrentSkipListMap<>()).put(plan.version(), plan);
        synchronized (this) {
            notifyAll();
        }
    }

    /** Waits until a version is known here, at most {@code timeout}; whether it is. */
    public synchronized boolean awaitVersion(String name, int version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (version(name, version) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** The newest version of a plan, or null when none is published. */
    public TrackingPlan latest(String name) {
        NavigableMap<Integer, TrackingPlan> versions = plans.get(name);
        if (versions == null) {
            return null;
        }
        Map.Entry<Integer, TrackingPlan> last = versions.lastEntry();
        return last == null ? null : last.getValue();
    }

    public TrackingPlan version(String name, int version) {
        NavigableMap<Integer, TrackingPlan> versions = plans.get(name);
        return versions == null ? null : versions.get(version);
    }

    public List<Integer> versions(String name) {
        NavigableMap<Integer, TrackingPlan> versions = plans.get(name);
        return versions == null ? List.of() : List.copyOf(versions.keySet());
    }

    public Set<String> names() {
        return new TreeSet<>(plans.keySet());
    }

    /** A compiler for documents about to be published. */
    public TrackingPlanCompiler compiler() {
        return compiler;
    }
}
