package io.sightline.common.concurrent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The single background thread a periodic job runs on: named, so a thread dump says whose it is. */
public final class DaemonScheduler {

    private DaemonScheduler() {}

    /** One daemon thread called {@code name}: it never keeps the JVM from exiting. */
    public static ScheduledExecutorService singleThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
