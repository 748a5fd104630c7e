package io.copytrader.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientOrderIdTest {
    @Test
    void shouldDeriveTheSameIdFromTheSameSourceTrade() {
        ClientOrderId a = ClientOrderId.of(new TraderId("alice"), new SourceTradeId("t-1"));
        ClientOrderId b = ClientOrderId.of(new TraderId("alice"), new SourceTradeId("t-1"));
        assertThat(a).isEqualTo(b);
        assertThat(a.value()).startsWith("ct-").hasSize(35);
    }

    @Test
    void shouldDeriveDifferentIdsForDifferentTradersOrTrades() {
        ClientOrderId a = ClientOrderId.of(new TraderId("alice"), new SourceTradeId("t-1"));
        assertThat(ClientOrderId.of(new TraderId("bob"), new SourceTradeId("t-1"))).isNotEqualTo(a);
        assertThat(ClientOrderId.of(new TraderId("alice"), new SourceTradeId("t-2"))).isNotEqualTo(a);
    }

    @Test
    void shouldRejectBlankIdsWithAClearMessage() {
        assertThatThrownBy(() -> new TraderId(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TraderId must be");
    }
}
