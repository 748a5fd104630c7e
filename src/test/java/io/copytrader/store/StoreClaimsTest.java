package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TradeOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.copytrader.store.TradeFixtures.intent;
import static io.copytrader.store.TradeFixtures.trade;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several instances on one store: an order, or a trade resolved outside the queue, is held by one instance at a time
 * (on PostgreSQL SELECT ... FOR UPDATE SKIP LOCKED under an UPDATE that stamps the claimant and the lease), the holder
 * renews it, and another instance takes over once the lease runs out. Two stores (two pools, as two engines have) race.
 */
abstract class StoreClaimsTest {
    private static final EnumSet<OrderRecordState> WATCHED = EnumSet.of(OrderRecordState.SUBMITTING,
            OrderRecordState.UNKNOWN, OrderRecordState.OPEN);

    protected final Clock clock = Clock.systemUTC();
    private TradeStore a;
    private TradeStore b;

    /** A store over the database both instances share (the same one each time within a test). */
    protected abstract TradeStore openStore();

    /** Lets go of the database, once both stores are closed. */
    protected void dropDatabase() {
    }

    @BeforeEach
    void openTwoStores() {
        a = openStore();
        b = openStore();
    }

    @AfterEach
    void closeTwoStores() {
        a.close();
        b.close();
        dropDatabase();
    }

    @Test
    void shouldLetOneInstanceHoldAnOrderUntilItsLeaseRunsOut() {
        DetectedTrade t = trade("c1");
        a.admit(t);
        a.recordIntent(t.key(), intent(t));
        Instant soon = Instant.now().plusSeconds(30);

        // 1. instance a claims it; b finds nothing to claim while the lease runs; a renews it
        assertThat(a.claimOrders(WATCHED, "a", soon, 10)).hasSize(1);
        assertThat(b.claimOrders(WATCHED, "b", soon, 10)).isEmpty();
        assertThat(a.claimOrders(WATCHED, "a", soon, 10)).hasSize(1);

        // 2. a dies: its lease (here already over) runs out, and b takes over
        assertThat(a.claimOrders(WATCHED, "a", Instant.now().minusSeconds(1), 10)).hasSize(1);
        assertThat(b.claimOrders(WATCHED, "b", soon, 10)).extracting(OrderRecord::tradeKey).containsExactly(t.key());
        assertThat(a.claimOrders(WATCHED, "a", soon, 10)).isEmpty();

        // 3. a terminal order is nobody's business
        b.updateOrder(t.clientOrderId(), OrderRecordState.FILLED, null, null, null);
        assertThat(b.claimOrders(WATCHED, "b", soon, 10)).isEmpty();
    }

    @Test
    void shouldHandOutTheOrdersItClaimsOldestFirst() {
        // written newest id first: the order of the ids is not the order of the orders
        for (String id : List.of("o3", "o2", "o1")) {
            DetectedTrade t = trade(id);
            a.admit(t);
            a.recordIntent(t.key(), intent(t));
        }
        assertThat(a.claimOrders(WATCHED, "a", Instant.now().plusSeconds(30), 10)).extracting(OrderRecord::tradeKey)
                .containsExactly(trade("o3").key(), trade("o2").key(), trade("o1").key());
    }

    @Test
    void shouldLetOneInstanceClaimATradeWithoutAnOutcome() {
        DetectedTrade t = trade("t1");
        a.admit(t);
        Instant soon = Instant.now().plusSeconds(30);
        assertThat(a.claimTrade(t.key(), "a", soon)).isTrue();
        assertThat(b.claimTrade(t.key(), "b", soon)).isFalse();
        assertThat(a.claimTrade(t.key(), "a", soon)).as("one piece of work: not taken twice").isFalse();
        assertThat(b.claimTrade(t.key(), "b", Instant.now().minusSeconds(1))).isFalse();
        DetectedTrade u = trade("t2");
        a.admit(u);
        assertThat(a.claimTrade(u.key(), "a", Instant.now().minusSeconds(1))).isTrue();
        assertThat(b.claimTrade(u.key(), "b", soon)).as("after the lease ran out").isTrue();
        b.finish(u.key(), TradeOutcome.COPIED, null, null);
        assertThat(a.claimTrade(u.key(), "a", Instant.now().plusSeconds(60))).as("ended").isFalse();
    }

    @Test
    void shouldLetOneInstanceHoldATradersDetection() {
        Instant soon = Instant.now().plusSeconds(30);
        assertThat(a.claim("detect:alice", "a", soon)).isTrue();
        assertThat(b.claim("detect:alice", "b", soon)).isFalse();
        assertThat(a.claim("detect:alice", "a", Instant.now().minusSeconds(1))).as("renewal").isTrue();
        assertThat(b.claim("detect:alice", "b", soon)).as("after the lease ran out").isTrue();
        assertThat(a.claim("detect:alice", "a", soon)).isFalse();
        assertThat(a.claim("detect:bob", "a", soon)).as("another trader").isTrue();
    }

    @Test
    @Timeout(60)
    void shouldNeverGiveOneOrderToTwoInstancesClaimingAtOnce() throws Exception {
        int orders = 200;
        for (int i = 0; i < orders; i++) {
            DetectedTrade t = trade("r" + i);
            a.admit(t);
            a.recordIntent(t.key(), intent(t));
        }
        // 1. eight claimants on two stores, each taking a batch of 40, all at once (320 asked for, 200 there)
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<List<String>>> results = new ArrayList<>();
        Instant until = Instant.now().plusSeconds(60);
        for (int c = 0; c < 8; c++) {
            TradeStore store = c % 2 == 0 ? a : b;
            String owner = "instance-" + c;
            Callable<List<String>> claimant = () ->
                    store.claimOrders(WATCHED, owner, until, 40).stream().map(OrderRecord::tradeKey).toList();
            results.add(pool.submit(claimant));
        }
        // 2. every order went to exactly one of them
        Map<String, Integer> holders = new HashMap<>();
        int claims = 0;
        for (Future<List<String>> f : results) {
            List<String> mine = f.get();
            assertThat(mine).doesNotHaveDuplicates();
            claims += mine.size();
            mine.forEach(k -> holders.merge(k, 1, Integer::sum));
        }
        pool.shutdown();
        assertThat(holders).hasSize(orders);
        assertThat(holders.values()).allMatch(n -> n == 1);
        assertThat(claims).isEqualTo(orders);
    }
}
