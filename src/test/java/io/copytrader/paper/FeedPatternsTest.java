package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.Side;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.JdkVenueHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The copy-semantics patterns of the paper feed: seeded, and served over HTTP through the admin API. */
@Timeout(30)
class FeedPatternsTest {

    @Test
    void shouldSplitOneOrderIntoPiecesThatSumExactlyEachATickWorse() {
        List<ScriptedFill> fills = FeedPatterns.splitOrder("o-1", "tok-3", Side.BUY, 20, new BigDecimal("100.00"),
                new BigDecimal("0.500"), 42);

        assertThat(fills).hasSize(20).allSatisfy(f -> {
            assertThat(f.orderId()).isEqualTo("o-1");
            assertThat(f.quantity()).isGreaterThanOrEqualTo(new BigDecimal("0.01"));
        });
        assertThat(fills.stream().map(ScriptedFill::quantity).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("100.00");
        assertThat(fills.get(19).price()).isEqualByComparingTo("0.519");
        assertThat(FeedPatterns.splitOrder("o-1", "tok-3", Side.BUY, 20, new BigDecimal("100.00"),
                new BigDecimal("0.500"), 42)).as("seeded").isEqualTo(fills);
        assertThatThrownBy(() -> FeedPatterns.splitOrder("o", "tok-3", Side.BUY, 20, new BigDecimal("0.10"),
                new BigDecimal("0.5"), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldServeScriptedFillsAndPatternsInOrderWithTheirOrderIds() throws Exception {
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of("alice", 0.0)).build())) {
            PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl());
            admin.emitFills("alice", List.of(ScriptedFill.buy("tok-A", "0.5", "10"), ScriptedFill.sell("tok-A", "0.5", "10")));
            long last = admin.emitPattern("bob", Map.of("pattern", "SPLIT_ORDER", "instrument", "tok-B", "side", "SELL",
                    "quantity", new BigDecimal("5"), "price", new BigDecimal("0.4"), "pieces", 5, "orderId", "bob-big"));

            List<JsonNode> alice = fills(venue, "alice");
            assertThat(alice).extracting(f -> f.get("side").asText() + " " + f.get("orderId").asText())
                    .containsExactly("BUY alice-o1", "SELL alice-o2");
            assertThat(alice.get(0).get("timestamp")).isEqualTo(alice.get(1).get("timestamp"));
            List<JsonNode> bob = fills(venue, "bob");
            assertThat(last).isEqualTo(5);
            assertThat(bob).hasSize(5).allSatisfy(f -> assertThat(f.get("orderId").asText()).isEqualTo("bob-big"));
            assertThatThrownBy(() -> admin.emitPattern("bob", Map.of("pattern", "NOPE", "instrument", "tok-B",
                    "quantity", 1, "price", new BigDecimal("0.4"))))
                    .hasMessageContaining("400").hasMessageContaining("pattern must be");
        }
    }

    private static List<JsonNode> fills(PaperVenue venue, String trader) throws Exception {
        var reply = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5))
                .execute(HttpCall.get(venue.baseUrl() + "/feed/traders/" + trader + "/fills?limit=1000"));
        List<JsonNode> out = new ArrayList<>();
        PaperJson.tree(reply.body(), "page").get("fills").forEach(out::add);
        return out;
    }
}
