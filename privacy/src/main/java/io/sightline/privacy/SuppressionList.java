package io.sightline.privacy;

import com.carrotsearch.hppc.LongHashSet;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import java.util.concurrent.locks.StampedLock;

/**
 * The subjects whose events are dropped at the door: those whose latest regulation is
 * {@code SUPPRESS} or {@code SUPPRESS_WITH_DELETE}. Kept as 64-bit hashes of their ids
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
        if (regulation.getRegulationType() == RegulationType.DELETE_ONLY) {
            return; // erases what is stored; whether collection goes on is the subject's other regulation
        }
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

    /**
     * A 64-bit hash of a subject's key, computed over the id's characters without
     * allocating (it runs twice per event): FNV-1a seeded by the subject type, then
     * MurmurHash3's finalizer to spread the bits.
     */
    static long hash(SubjectType type, String subjectId) {
        long h = type == SubjectType.USER_ID ? 0x9E3779B97F4A7C15L : 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < subjectId.length(); i++) {
            h = (h ^ subjectId.charAt(i)) * 0x100000001B3L;
        }
        h ^= subjectId.length();
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
