package io.copytrader.paper;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TradeGeneratorTest {

    @Test
    void shouldDrawInstrumentsOnlyFromTok1ToTokNAndUseThemAll() {
        for (int instruments : new int[] {1, 20, 500}) {
            TradeGenerator generator = new TradeGenerator(42, "bench", instruments);
            Set<String> seen = new HashSet<>();
            for (long seq = 1; seq <= 20_000; seq++) {
                seen.add(generator.next(seq, 1_000L + seq).instrument());
            }
            assertThat(seen).as("%d instruments", instruments).hasSize(instruments)
                    .allSatisfy(i -> assertThat(Integer.parseInt(i.substring("tok-".length())))
                            .isBetween(1, instruments));
        }
    }

    @Test
    void shouldDrawTheSameFillsForTheSameSeedTraderAndInstruments() {
        TradeGenerator a = new TradeGenerator(7, "alice", 300);
        TradeGenerator b = new TradeGenerator(7, "alice", 300);
        for (long seq = 1; seq <= 100; seq++) {
            assertThat(a.next(seq, seq)).isEqualTo(b.next(seq, seq));
        }
    }

    @Test
    void shouldRefuseAVenueWithNoInstrumentsOrTooMany() {
        assertThatThrownBy(() -> PaperVenueConfig.builder().instruments(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("instruments must be in [1, 1000000]");
        assertThatThrownBy(() -> PaperVenueConfig.builder().instruments(1_000_001).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but was 1000001");
        assertThat(PaperVenueConfig.defaults().instruments()).isEqualTo(PaperVenueConfig.DEFAULT_INSTRUMENTS);
    }
}
