package io.sightline.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SuppressionListTest {

    private static SubjectRegulation regulation(RegulationType type, SubjectType subjectType, String id) {
        return new SubjectRegulation("r-1", type, subjectType, id, Instant.EPOCH, null);
    }

    @Test
    void suppressesByUserOrDeviceUntilLifted() {
        SuppressionList list = new SuppressionList();
        assertThat(list.isSuppressed("u-1", "d-1")).isFalse();

        list.apply(regulation(RegulationType.SUPPRESS, SubjectType.USER_ID, "u-1"));
        list.apply(regulation(RegulationType.SUPPRESS_WITH_DELETE, SubjectType.ANONYMOUS_ID, "d-2"));
        list.apply(regulation(RegulationType.DELETE_ONLY, SubjectType.USER_ID, "u-3"));

        assertThat(list.isSuppressed("u-1", null)).isTrue();
        assertThat(list.isSuppressed(null, "d-2")).isTrue();
        assertThat(list.isSuppressed("u-9", "d-2")).isTrue();
        assertThat(list.isSuppressed("u-3", null))
                .as("erasing alone does not stop collection")
                .isFalse();
        assertThat(list.isSuppressed(null, "u-1"))
                .as("a user id is not a device id")
                .isFalse();
        assertThat(list.size()).isEqualTo(2);
        list.apply(regulation(RegulationType.DELETE_ONLY, SubjectType.USER_ID, "u-1"));
        assertThat(list.isSuppressed("u-1", null))
                .as("erasing a suppressed user's data keeps the suppression")
                .isTrue();

        list.apply(regulation(RegulationType.UNSUPPRESS, SubjectType.USER_ID, "u-1"));
        assertThat(list.isSuppressed("u-1", null)).isFalse();
        assertThat(list.size()).isEqualTo(1);
    }

    @Test
    void readersSeeEverySubjectWhileTheListGrows() throws Exception {
        SuppressionList list = new SuppressionList();
        list.apply(regulation(RegulationType.SUPPRESS, SubjectType.USER_ID, "always"));
        ExecutorService readers = Executors.newFixedThreadPool(2);
        Future<Integer> misses = readers.submit(() -> {
            int missed = 0;
            for (int i = 0; i < 200_000; i++) {
                missed += list.isSuppressed("always", null) ? 0 : 1;
            }
            return missed;
        });
        for (int i = 0; i < 100_000; i++) { // resizes the set many times while the reader reads
            list.apply(regulation(RegulationType.SUPPRESS, SubjectType.USER_ID, "user-" + i));
        }
        assertThat(misses.get(30, TimeUnit.SECONDS)).isZero();
        readers.shutdown();
        assertThat(list.size()).isEqualTo(100_001);
    }
}
