package io.copytrader.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    void shouldBeTheFirst32HexDigitsOfTheSha256OfTraderAndTrade() throws Exception {
        // the expected value from another SHA-256 implementation (Python's hashlib) over "alice|t-1"
        String expected = "ct-0501f91df718f724949ca29ee9160239";
        assertThat(ClientOrderId.of(new TraderId("alice"), new SourceTradeId("t-1")).value()).isEqualTo(expected);
        // the shared digest is copied, never shared: ids derived on many threads at once are the same
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                int n = i;
                ids.add(pool.submit(() -> n % 2 == 0
                        ? ClientOrderId.of(new TraderId("alice"), new SourceTradeId("t-1")).value()
                        : ClientOrderId.of(new TraderId("bob"), new SourceTradeId("t-" + n)).value()));
            }
            for (int i = 0; i < ids.size(); i += 2) {
                assertThat(ids.get(i).get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRejectBlankIdsWithAClearMessage() {
        assertThatThrownBy(() -> new TraderId(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TraderId must be");
    }
}
