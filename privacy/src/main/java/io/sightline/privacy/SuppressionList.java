package io.sightline.privacy;

import com.carrotsearch.hppc.LongHashSet;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.StampedLock;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The subjects whose events are dropped at the door: those whose latest regulation is
 * {@code SUPPRESS} or {@code SUPPRESS_WITH_DELETE}. Kept as 64-bit hashes of their keys
 * in a primitive set, so a million subjects take about 16 MB and no id is held in
 * memory as text. A false match needs another subject's key with the same 64-bit hash:
 * about 5 in 10^14 per lookup at a million suppressed subjects. Read on every event by
 * many threads, written by one feed thread: reads are optimistic (no lock unless a
 * write ran meanwhile), and an empty list costs nothing.
 */
public final class SuppressionList {

    private final StampedLock lock = new StampedLock();
    private final LongHashSet hashes = new LongHashSet();
    private volatile int size;

    /** Applies the latest regulation of one subject. */
    public void apply(SubjectRegulation regulation) {
        long hash = hash(regulation.getSubjectType(), regulation.getSubjectId());
        boolean suppressed = regulation.getRegulationType() == RegulationType.SUPPRESS
                || regulation.getRegulationType() == RegulationType.SUPPRESS_WITH_DELETE;
        long stamp = lock.writeLock();
        try {
            if (suppressed) {
                hashes.add(hash);
            } else {
                hashes.remove(hash);
            }
            size = hashes.size();
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Whether an event of this user or device must be dropped; either id may be null. */
    public boolean isSuppressed(String userId, String anonymousId) {
        if (size == 0) {
            return false;
        }
        return userId != null && contains(hash(SubjectType.USER_ID, userId))
                || anonymousId != null && contains(hash(SubjectType.ANONYMOUS_ID, anonymousId));
    }

    public int size() {
        return size;
    }

    private boolean contains(long hash) {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            try {
                boolean found = hashes.contains(hash);
                if (lock.validate(stamp)) {
                    return found;
                }
            } catch (RuntimeException tornByAConcurrentResize) {
                // read again under the lock below
            }
        }
        stamp = lock.readLock();
        try {
            return hashes.contains(hash);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    static long hash(SubjectType type, String subjectId) {
        byte[] key = Topics.subjectKey(type, subjectId).getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash128x64(key, 0, key.length, 0)[0];
    }
}
