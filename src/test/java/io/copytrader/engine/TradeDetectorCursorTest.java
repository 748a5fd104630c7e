package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.paper.PaperFeedAdapter;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.JdkVenueHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a poll's cursor comes from: polling alone, the detector keeps the cursor it stored and reads the store once;
 * with several instances it reads the store at every poll and commit, since another instance may have moved it.
 */
@Timeout(60)
class TradeDetectorCursorTest {
    private static final TraderId ALICE = new TraderId("alice");

    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
    private final InMemoryTradeStore backing = new InMemoryTradeStore(Clock.systemUTC());
    private final AtomicInteger cursorReads = new AtomicInteger();
    /** The in-memory store, counting the cursor reads made through it. */
    private final TradeStore store = (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
            new Class<?>[]{TradeStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("cursor")) {
                    cursorReads.incrementAndGet();
                }
                try {
                    return method.invoke(backing, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    private PaperVenue venue;
    private PaperVenueAdmin admin;
    private TradeDetector detector;

    @BeforeEach
    void start() {
        venue = PaperVenue.start(PaperVenueConfig.builder().seed(3).traders(Map.of("alice", 0.0)).build());
        admin = new PaperVenueAdmin(venue.baseUrl(), http);
        detector = new TradeDetector(List.of(ALICE), new PaperFeedAdapter(venue.baseUrl(), 100), http, store,
                new PipelineMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        venue.close();
    }

    private List<String> pollAndCommit() {
        TradeDetector.Poll poll = detector.poll(ALICE);
        detector.commit(poll);
        return poll.trades().stream().map(DetectedTrade::key).toList();
    }

    @Test
    void shouldReadTheStoredCursorOnceWhenPollingAlone() {
        admin.emit("alice", 3);
        List<String> first = pollAndCommit();
        admin.emit("alice", 2);
        List<String> second = pollAndCommit();
        List<String> third = pollAndCommit();

        assertThat(first).hasSize(3);
        // each poll starts from the cursor the previous commit stored: nothing read twice, nothing skipped
        assertThat(second).hasSize(2).doesNotContainAnyElementsOf(first);
        assertThat(third).isEmpty();
        assertThat(cursorReads).hasValue(1);
        assertThat(backing.cursor(ALICE)).isPresent();
    }

    @Test
    void shouldStartFromTheCursorOfAnEarlierRun() {
        admin.emit("alice", 3);
        List<String> earlier = pollAndCommit();
        String stored = backing.cursor(ALICE).orElseThrow();
        admin.emit("alice", 2);

        // a new detector over the same store, as after a restart, carries on from the stored cursor
        detector = new TradeDetector(List.of(ALICE), new PaperFeedAdapter(venue.baseUrl(), 100), http, store,
                new PipelineMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        List<String> later = pollAndCommit();

        assertThat(later).hasSize(2).doesNotContainAnyElementsOf(earlier);
        assertThat(backing.cursor(ALICE)).isPresent().isNotEqualTo(java.util.Optional.of(stored));
    }

    @Test
    void shouldReadTheStoreAtEveryPollAndCommitWithSeveralInstances() {
        detector.ownedAs("engine-a", Duration.ofSeconds(30));
        admin.emit("alice", 3);
        pollAndCommit();
        String afterFirst = backing.cursor(ALICE).orElseThrow();
        admin.emit("alice", 2);
        List<String> next = pollAndCommit();
        assertThat(next).hasSize(2);

        // another instance owned the trader meanwhile and stored an older cursor: this one reads from there
        backing.saveCursor(ALICE, afterFirst);
        List<String> again = pollAndCommit();

        assertThat(again).containsExactlyElementsOf(next);
        assertThat(cursorReads).hasValue(6); // a poll and a commit each, three times
    }
}
