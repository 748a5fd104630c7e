package io.copytrader.store;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Which of our order states end an order; the moves between them are the store contract's. */
class OrderRecordStateTest {

    @Test
    void shouldEndAnOrderOnlyWhenFilledCanceledRejectedOrFailed() {
        EnumSet<OrderRecordState> terminal = EnumSet.of(OrderRecordState.FILLED, OrderRecordState.CANCELED,
                OrderRecordState.REJECTED, OrderRecordState.FAILED);
        assertThat(Arrays.stream(OrderRecordState.values()).filter(OrderRecordState::isTerminal))
                .containsExactlyInAnyOrderElementsOf(terminal);
    }

    @Test
    void shouldLeaveAFilledOrCanceledOrderWhereItIsAndLetAPersonSendOnlyAFailedOrRefusedOneAgain() {
        for (OrderRecordState to : OrderRecordState.values()) {
            assertThat(to.allowedFrom()).as("to %s", to).doesNotContain(OrderRecordState.FILLED, OrderRecordState.CANCELED);
        }
        assertThat(OrderRecordState.SUBMITTING.allowedFrom())
                .containsExactlyInAnyOrder(OrderRecordState.FAILED, OrderRecordState.REJECTED);
    }
}
