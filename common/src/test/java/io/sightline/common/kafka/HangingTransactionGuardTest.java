package io.sightline.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.kafka.HangingTransactionGuard.CoordinatorView;
import io.sightline.common.kafka.HangingTransactionGuard.OpenTransaction;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HangingTransactionGuardTest {

    private static final TopicPartition CHANGELOG = new TopicPartition("app-store-changelog", 2);
    private static final OpenTransaction OPEN = new OpenTransaction(CHANGELOG, 2003, 28, 0, 1777);

    @Test
    void shouldKeepATransactionItsCoordinatorStillHoldsOnThePartition() {
        assertThat(HangingTransactionGuard.hanging(
                        List.of(OPEN),
                        Map.of(2003L, new CoordinatorView(28, TransactionState.ONGOING, Set.of(CHANGELOG)))))
                .isEmpty();
        assertThat(HangingTransactionGuard.hanging(
                        List.of(OPEN),
                        Map.of(2003L, new CoordinatorView(28, TransactionState.PREPARE_COMMIT, Set.of(CHANGELOG)))))
                .as("the coordinator is writing its markers")
                .isEmpty();
    }

    @Test
    void shouldCallHangingWhatNoCoordinatorWillEverEnd() {
        assertThat(HangingTransactionGuard.hanging(
                        List.of(OPEN),
                        Map.of(2003L, new CoordinatorView(549, TransactionState.ONGOING, Set.of(CHANGELOG)))))
                .as("the producer moved on to a later epoch (transactions v2 bump it every transaction)")
                .containsExactly(OPEN);
        assertThat(HangingTransactionGuard.hanging(
                        List.of(OPEN),
                        Map.of(2003L, new CoordinatorView(28, TransactionState.COMPLETE_ABORT, Set.of()))))
                .as("the coordinator finished it, but the marker never reached this partition")
                .containsExactly(OPEN);
        assertThat(HangingTransactionGuard.hanging(
                        List.of(OPEN),
                        Map.of(
                                2003L,
                                new CoordinatorView(
                                        28, TransactionState.ONGOING, Set.of(new TopicPartition("other", 0))))))
                .as("ongoing, but not on this partition")
                .containsExactly(OPEN);
        assertThat(HangingTransactionGuard.hanging(List.of(OPEN), Map.of()))
                .as("the transactional id expired")
                .containsExactly(OPEN);
    }
}
