package io.copytrader.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TraderId;
import io.copytrader.paper.PaperFeedAdapter;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.FeedAdapter;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.JdkVenueHttpClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a poll makes of a trader's feed, served by a scripted feed on loopback: malformed rows counted, logged and
 * passed over; a failed or unreadable page leaves the cursor where it was, so the next poll reads it again; ticks
 * coalesced, and skipped while another instance polls the trader; the target's positions read once, before its
 * first poll.
 */
@Timeout(60)
class TradeDetectorTest {
    private static final TraderId ALICE = Trades.ALICE;
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
    private final InMemoryTradeStore store = new InMemoryTradeStore(Clock.fixed(NOW, ZoneOffset.UTC));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineMetrics metrics = new PipelineMetrics(registry);
    /** The feed's answers to come, each a status and a body; when none is left, an empty page. */
    private final ConcurrentLinkedQueue<Object[]> pages = new ConcurrentLinkedQueue<>();
    /** The {@code after} of each feed request, in order. */
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    /** The positions pages by their {@code page} parameter. */
    private final Map<String, String> positionPages = new ConcurrentHashMap<>();
    private final List<String> positionsAsked = Collections.synchronizedList(new ArrayList<>());
    private final Logger log = (Logger) LoggerFactory.getLogger(TradeDetector.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private HttpServer server;
    private String baseUrl;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/feed/", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            asked.add(query.replaceAll(".*after=([^&]*).*", "$1"));
            Object[] page = pages.poll();
            int status = page == null ? 200 : (int) page[0];
            byte[] body = (page == null ? "{\"fills\":[],\"nextCursor\":null,\"hasMore\":false}" : (String) page[1])
                    .getBytes(StandardCharsets.UTF_8);
            if (page != null && page.length > 2) {
                exchange.getResponseHeaders().add("Retry-After", (String) page[2]);
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/positions", exchange -> {
            String page = exchange.getRequestURI().getQuery().replaceAll(".*page=([^&]*).*", "$1");
            positionsAsked.add(page);
            String body = positionPages.get(page);
            byte[] bytes = (body == null ? "{}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 503 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        baseUrl = "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void stop() {
        log.detachAppender(logged);
        server.stop(0);
    }

    private static String row(String id, String price, String quantity) {
        return "{\"tradeId\":\"" + id + "\",\"trader\":\"alice\",\"instrument\":\"tok-yes\",\"outcome\":\"Yes\","
                + "\"side\":\"BUY\",\"price\":" + price + ",\"quantity\":" + quantity + ",\"timestamp\":1764000000000}";
    }

    private void answer(String nextCursor, String... rows) {
        pages.add(new Object[]{200, "{\"fills\":[" + String.join(",", rows) + "],\"nextCursor\":\"" + nextCursor
                + "\",\"hasMore\":false}"});
    }

    /** A page after which the feed says it has more. */
    private void answerWithMore(String nextCursor, String... rows) {
        pages.add(new Object[]{200, "{\"fills\":[" + String.join(",", rows) + "],\"nextCursor\":\"" + nextCursor
                + "\",\"hasMore\":true}"});
    }

    private void answerStatus(int status, String body) {
        pages.add(new Object[]{status, body});
    }

    private TradeDetector detector(FeedAdapter feed, TradeStore store, TargetPositions positions) {
        return new TradeDetector(List.of(ALICE), feed, http, store, metrics, Clock.fixed(NOW, ZoneOffset.UTC), positions);
    }

    private TradeDetector detector() {
        return detector(new PaperFeedAdapter(baseUrl, 100), store, null);
    }

    private static List<String> ids(TradeDetector.Poll poll) {
        return poll.trades().stream().map(t -> t.sourceTradeId().value()).toList();
    }

    private double rejected() {
        return registry.get(PipelineMetrics.ROWS_REJECTED).tag("reason", Reason.FEED_MALFORMED_ROW.name()).counter()
                .count();
    }

    private List<String> lines(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void shouldPassOverMalformedRowsCountingAndNamingThemAndMovePastThem() {
        TradeDetector detector = detector();
        answer("c-4", row("a-1", "0.42", "10"), row("a-2", "1.5", "10"), "\"not a row\"", row("a-3", "0.40", "5"));

        TradeDetector.Poll poll = detector.poll(ALICE);
        detector.commit(poll);

        assertThat(ids(poll)).containsExactly("a-1", "a-3");
        assertThat(rejected()).isEqualTo(2.0);
        assertThat(lines(Level.WARN)).singleElement().asString()
                .contains("Rejected malformed feed rows").contains("a-2 of alice: price 1.5 is outside (0,1)");
        assertThat(store.cursor(ALICE)).contains("c-4");
        detector.poll(ALICE);
        assertThat(asked).as("the next poll reads on after the page, the malformed rows with it").containsExactly("0", "c-4");
    }

    @Test
    void shouldReadAPageAgainAfterTheFeedFailedAndCountEachFailedPoll() {
        TradeDetector detector = detector();
        answer("c-1", row("a-1", "0.42", "10"));
        detector.commit(detector.poll(ALICE));
        answerStatus(503, "{\"error\":\"busy\"}");
        answerStatus(200, "{\"no\":\"fills\"}");
        answer("c-2", row("a-2", "0.42", "10"));

        TradeDetector.Poll unavailable = detector.poll(ALICE);
        detector.commit(unavailable);
        TradeDetector.Poll unreadable = detector.poll(ALICE);
        detector.commit(unreadable);

        assertThat(unavailable.trades()).isEmpty();
        assertThat(unreadable.trades()).isEmpty();
        assertThat(store.cursor(ALICE)).as("not moved by a failed poll").contains("c-1");
        assertThat(metrics.feedFailures().get("alice"))
                .isEqualTo(new PipelineMetrics.FeedFailures(2, "unreadable page"));
        assertThat(registry.get(PipelineMetrics.FEED_POLLS_FAILED).counter().count()).isEqualTo(2.0);
        assertThat(lines(Level.WARN)).singleElement().asString().startsWith("Feed of alice unavailable");
        assertThat(lines(Level.ERROR)).singleElement().asString().startsWith("Feed page of alice after cursor c-1 is unreadable");

        TradeDetector.Poll again = detector.poll(ALICE);
        detector.commit(again);

        assertThat(ids(again)).containsExactly("a-2");
        assertThat(asked).containsExactly("0", "c-1", "c-1", "c-1");
        assertThat(store.cursor(ALICE)).contains("c-2");
        assertThat(metrics.feedFailures().get("alice").consecutive()).as("a good poll ends the run").isZero();
        assertThat(registry.get(PipelineMetrics.FEED_POLLS).counter().count()).isEqualTo(4.0);
    }

    @Test
    void shouldKeepTheCursorWhenTheFeedCannotBeReached() {
        TradeDetector detector = detector();
        answer("c-1", row("a-1", "0.42", "10"));
        detector.commit(detector.poll(ALICE));
        server.stop(0);

        TradeDetector.Poll poll = detector.poll(ALICE);
        detector.commit(poll);

        assertThat(poll.trades()).isEmpty();
        assertThat(store.cursor(ALICE)).contains("c-1");
        assertThat(metrics.feedFailures().get("alice").consecutive()).isEqualTo(1);
        assertThat(metrics.feedFailures().get("alice").lastError()).as("the kind, never a message with a URL")
                .doesNotContain("http");
    }

    @Test
    void shouldCoalesceTicksThatComeTooSoonAfterAPoll() {
        TradeDetector detector = detector().coalescingTicksWithin(Duration.ofHours(1));
        answer("c-1", row("a-1", "0.42", "10"));
        answer("c-2", row("a-2", "0.42", "10"));

        TradeDetector.Poll first = detector.pollTrader("alice");
        detector.commit(first);
        TradeDetector.Poll coalesced = detector.pollTrader("alice");
        detector.commit(coalesced);

        assertThat(ids(first)).containsExactly("a-1");
        assertThat(coalesced).isEqualTo(new TradeDetector.Poll(ALICE, List.of(), null));
        assertThat(asked).hasSize(1);
        assertThat(store.cursor(ALICE)).contains("c-1");

        TradeDetector everyTick = detector().coalescingTicksWithin(Duration.ZERO);
        assertThat(ids(everyTick.pollTrader("alice"))).containsExactly("a-2");
        everyTick.pollTrader("alice");
        assertThat(asked).hasSize(3);
    }

    @Test
    void shouldSendNoPageRequestPastTheFeedsBudgetAndReadOnAtTheNextTick() {
        // two page requests a period for every target together (a venue's rate limit); the period long enough that
        // none comes back during the test
        TradeDetector detector = detector().withinPageRequests(2, Duration.ofHours(1));
        answer("c-1", row("a-1", "0.42", "10"));
        answer("c-2", row("a-2", "0.42", "10"));
        answer("c-3", row("a-3", "0.42", "10"));

        detector.commit(detector.pollTrader("alice"));
        detector.commit(detector.pollTrader("alice"));
        TradeDetector.Poll deferred = detector.pollTrader("alice");
        detector.commit(deferred);

        assertThat(asked).as("no request past the budget").hasSize(2);
        assertThat(deferred.trades()).isEmpty();
        assertThat(deferred.hasMore()).as("no further page either").isFalse();
        assertThat(store.cursor(ALICE)).as("the cursor where the last page left it").contains("c-2");
        assertThat(registry.get(PipelineMetrics.FEED_POLLS_DEFERRED).counter().count()).isEqualTo(1.0);
        assertThat(registry.get(PipelineMetrics.FEED_POLLS).counter().count()).as("a deferred poll is no poll")
                .isEqualTo(2.0);

        // no budget (a venue without a limit, or 0): every tick polls
        TradeDetector unlimited = detector().withinPageRequests(0, Duration.ofHours(1));
        assertThat(ids(unlimited.pollTrader("alice"))).containsExactly("a-3");
        assertThat(asked).hasSize(3);
    }

    @Test
    void shouldAskTheFeedNothingUntilTheRetryAfterOfA429() {
        TradeDetector detector = detector();
        pages.add(new Object[]{429, "{\"error\":\"too many requests\"}", "3600"});
        answerStatus(503, "{}");
        answer("c-1", row("a-1", "0.42", "10"));

        TradeDetector.Poll refused = detector.pollTrader("alice");
        detector.commit(refused);
        TradeDetector.Poll waiting = detector.pollTrader("alice");
        detector.commit(waiting);

        // the 429's Retry-After (an hour, cut to a minute) not over: no second request, the poll put off
        assertThat(asked).hasSize(1);
        assertThat(waiting.trades()).isEmpty();
        assertThat(registry.get(PipelineMetrics.FEED_POLLS_DEFERRED).counter().count()).isEqualTo(1.0);
        assertThat(registry.get(PipelineMetrics.FEED_POLLS_FAILED).counter().count()).isEqualTo(1.0);
        assertThat(store.cursor(ALICE)).isEmpty();
        // a 503 is no reason to wait: another detector's next poll asks at once
        TradeDetector other = detector();
        assertThat(other.pollTrader("alice").trades()).isEmpty();
        assertThat(ids(other.pollTrader("alice"))).containsExactly("a-1");
        assertThat(asked).hasSize(3);
    }

    @Test
    void shouldWaitA429sRetryAfterASecondWithoutOneAndAMinuteAtMost() {
        TradeDetector detector = detector();
        assertThat(detector.feedPause()).isZero();
        pages.add(new Object[]{429, "{}"}); // no Retry-After: a second
        detector.pollTrader("alice");
        assertThat(detector.feedPause()).isGreaterThan(Duration.ofMillis(500)).isLessThanOrEqualTo(Duration.ofSeconds(1));

        TradeDetector asked5 = detector();
        pages.add(new Object[]{429, "{}", "5"});
        asked5.pollTrader("alice");
        assertThat(asked5.feedPause()).isGreaterThan(Duration.ofSeconds(4)).isLessThanOrEqualTo(Duration.ofSeconds(5));

        TradeDetector askedAnHour = detector();
        pages.add(new Object[]{429, "{}", "3600"});
        askedAnHour.pollTrader("alice");
        assertThat(askedAnHour.feedPause()).isGreaterThan(Duration.ofSeconds(59))
                .isLessThanOrEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldIgnoreATickForATraderThisInstanceDoesNotFollow() {
        TradeDetector detector = detector();
        answer("c-1", row("m-1", "0.42", "10"));

        // a tick on the shared topic for someone else (another instance's target, or a record that is not ours)
        for (String stranger : new String[]{"mallory", "", "x".repeat(10_000), "eve\nINFO forged line", null}) {
            TradeDetector.Poll ignored = detector.pollTrader(stranger);
            assertThat(ignored.trades()).isEmpty();
            assertThat(ignored.nextCursor()).isNull();
            detector.commit(ignored);
        }
        assertThat(asked).as("no feed was read").isEmpty();
        assertThat(store.cursor(ALICE)).isEmpty();
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("Ignored poll ticks for traders that are not among this instance's targets")
                .contains("mallory"));
        assertThat(logged.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).hasSizeLessThan(2_000)
                .doesNotContain("\n"));

        // its own target's tick still polls
        assertThat(ids(detector.pollTrader("alice"))).containsExactly("m-1");
    }

    /**
     * A detector of instance engine-b, one of several sharing this test's store: each claim is recorded ("key owner
     * until") and granted while {@code granted[0]} is true.
     */
    private TradeDetector sharing(List<String> claims, boolean[] granted) {
        TradeStore shared = (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
                new Class<?>[]{TradeStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("claim")) {
                        claims.add(args[0] + " " + args[1] + " " + args[2]);
                        return granted[0];
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return detector(new PaperFeedAdapter(baseUrl, 100), shared, null).ownedAs("engine-b", Duration.ofSeconds(30));
    }

    @Test
    void shouldSkipATickWhileAnotherInstanceHoldsTheTrader() {
        List<String> claims = Collections.synchronizedList(new ArrayList<>());
        boolean[] granted = {false};
        TradeDetector detector = sharing(claims, granted);
        answer("c-1", row("a-1", "0.42", "10"));

        TradeDetector.Poll held = detector.pollTrader("alice");
        detector.commit(held);
        granted[0] = true;
        TradeDetector.Poll owned = detector.pollTrader("alice");

        assertThat(held).isEqualTo(new TradeDetector.Poll(ALICE, List.of(), null));
        assertThat(ids(owned)).containsExactly("a-1");
        assertThat(asked).as("polled only while it held the claim").hasSize(1);
        assertThat(claims).containsOnly("detect:alice engine-b " + NOW.plusSeconds(30));
        assertThat(detector.traders()).containsExactly(ALICE);
        assertThat(detector.traderNames()).containsExactly("alice");
    }

    /** The paper feed, with a target's positions served in pages. */
    private FeedAdapter withPositions(int pagesWithMore) {
        PaperFeedAdapter paper = new PaperFeedAdapter(baseUrl, 100);
        return new FeedAdapter() {
            @Override
            public String name() {
                return "paper-with-positions";
            }

            @Override
            public HttpCall fetchPage(TraderId trader, String cursor) {
                return paper.fetchPage(trader, cursor);
            }

            @Override
            public FeedPage onPage(TraderId trader, String cursor, HttpReply reply, Instant now) {
                return paper.onPage(trader, cursor, reply, now);
            }

            @Override
            public Optional<HttpCall> fetchPositions(TraderId trader) {
                return Optional.of(HttpCall.get(baseUrl + "/positions?page=0"));
            }

            @Override
            public Map<InstrumentId, BigDecimal> onPositions(TraderId trader, HttpReply reply) {
                if (!reply.isSuccess()) {
                    throw new IllegalArgumentException("positions answered " + reply.status());
                }
                Map<InstrumentId, BigDecimal> positions = new java.util.HashMap<>();
                for (String pair : reply.body().split(",")) {
                    String[] kv = pair.split("=");
                    positions.put(new InstrumentId(kv[0]), new BigDecimal(kv[1]));
                }
                return positions;
            }

            @Override
            public Optional<HttpCall> nextPositionsPage(TraderId trader, HttpReply previous, int pagesRead) {
                return pagesRead <= pagesWithMore ? Optional.of(HttpCall.get(baseUrl + "/positions?page=" + pagesRead))
                        : Optional.empty();
            }
        };
    }

    @Test
    void shouldSeedTheTargetsPositionsFromEveryPageOnceBeforeItsFirstPoll() {
        TargetPositions positions = new TargetPositions();
        positionPages.put("0", "tok-a=10,tok-b=5");
        positionPages.put("1", "tok-b=7,tok-c=2.5"); // a position that moved between pages: the first page's stands
        TradeDetector detector = detector(withPositions(1), store, positions);
        answer("c-1", row("a-1", "0.42", "10"));

        assertThat(ids(detector.poll(ALICE))).containsExactly("a-1");
        detector.poll(ALICE);

        assertThat(positions.position(ALICE, new InstrumentId("tok-a"))).isEqualByComparingTo("10");
        assertThat(positions.position(ALICE, new InstrumentId("tok-b"))).isEqualByComparingTo("5");
        assertThat(positions.position(ALICE, new InstrumentId("tok-c"))).isEqualByComparingTo("2.5");
        assertThat(positionsAsked).as("read once, every page").containsExactly("0", "1");
    }

    @Test
    void shouldStopPagingWhenTheVenueAnswersTheSamePageAgain() {
        TargetPositions positions = new TargetPositions();
        positionPages.put("0", "tok-a=10");
        positionPages.put("1", "tok-a=10"); // a venue that does not page: the same answer again
        positionPages.put("2", "tok-z=1");
        TradeDetector detector = detector(withPositions(5), store, positions);

        detector.poll(ALICE);

        assertThat(positionsAsked).containsExactly("0", "1");
        assertThat(positions.position(ALICE, new InstrumentId("tok-a"))).isEqualByComparingTo("10");
        assertThat(positions.position(ALICE, new InstrumentId("tok-z"))).isZero();
    }

    @Test
    void shouldPollEvenWhenThePositionsCannotBeRead() {
        TargetPositions positions = new TargetPositions();
        positionPages.put("0", "tok-a=10"); // its second page answers 503
        TradeDetector detector = detector(withPositions(1), store, positions);
        answer("c-1", row("a-1", "0.42", "10"));

        assertThat(ids(detector.poll(ALICE))).containsExactly("a-1");

        assertThat(positions.position(ALICE, new InstrumentId("tok-a")))
                .as("no partial seed: learnt from its trades").isZero();
        assertThat(lines(Level.WARN)).singleElement().asString().startsWith("Could not read the positions of target alice");
    }

    @Test
    void shouldSayThereIsMoreOnlyForAPageThatMovedTheCursorAndReadOnAtMostTheBound() {
        TradeDetector detector = detector().coalescingTicksWithin(Duration.ofHours(1)).readingAtMostPagesPerPoll(3);
        answerWithMore("c-1", row("a-1", "0.42", "10"));
        answerWithMore("c-2", row("a-2", "0.42", "10"));
        answerStatus(503, "{\"error\":\"busy\"}");
        answerWithMore("c-2"); // the feed says more, yet answers after c-2 with c-2 again
        answerWithMore("c-3", row("a-3", "0.42", "10"));

        // 1. the tick's first page says more, and moved the cursor: read on
        TradeDetector.Poll first = detector.pollTrader("alice");
        assertThat(first.hasMore()).isTrue();
        assertThat(detector.readsOn(first, 1)).isTrue();
        detector.commit(first);

        // 2. the next page of the tick is not a tick: not coalesced, read from the cursor the page before stored
        TradeDetector.Poll second = detector.pollNextPage(ALICE);
        assertThat(ids(second)).containsExactly("a-2");
        assertThat(detector.readsOn(second, 2)).isTrue();
        assertThat(detector.readsOn(second, 3)).as("the third page of a tick is its last").isFalse();
        detector.commit(second);

        // 3. a failed page, and a page that left the cursor where it was, say nothing more whatever the feed said
        TradeDetector.Poll failed = detector.pollNextPage(ALICE);
        assertThat(failed.hasMore()).isFalse();
        detector.commit(failed);
        TradeDetector.Poll unmoved = detector.pollNextPage(ALICE);
        assertThat(unmoved.hasMore()).isFalse();
        assertThat(detector.readsOn(unmoved, 1)).isFalse();
        detector.commit(unmoved);

        assertThat(detector.pollTrader("alice")).as("a tick within the hour is still coalesced")
                .isEqualTo(new TradeDetector.Poll(ALICE, List.of(), null));
        assertThat(asked).containsExactly("0", "c-1", "c-2", "c-2");
        assertThat(ids(detector.pollNextPage(ALICE))).containsExactly("a-3");
        assertThat(detector().readsOn(first, 1)).as("one page a tick unless told").isFalse();
    }

    /**
     * A page of trades all admitted before ends the tick's reading (a feed reading its overlap again), unless the feed
     * said its poll goes on: a re-read window's page, with the new rows still to come in the same poll.
     */
    @Test
    void shouldReadOnPastAPageOfTradesSeenBeforeOnlyWhenTheFeedSaysItsPollGoesOn() {
        TradeDetector detector = detector().readingAtMostPagesPerPoll(3);
        TradeDetector.Poll seenBefore = new TradeDetector.Poll(ALICE, List.of(), "c-2", true);
        assertThat(detector.readsOn(seenBefore, 1, false)).as("nothing new this tick: the rest at the next").isFalse();
        assertThat(detector.readsOn(seenBefore, 1, true)).isTrue();
        TradeDetector.Poll goesOn = new TradeDetector.Poll(ALICE, List.of(), "c-2", true, true);
        assertThat(detector.readsOn(goesOn, 1, false)).as("the poll goes on though nothing was new").isTrue();
        assertThat(detector.readsOn(goesOn, 3, false)).as("still at most the bound a tick").isFalse();
        TradeDetector.Poll last = new TradeDetector.Poll(ALICE, List.of(), "c-2", false, false);
        assertThat(detector.readsOn(last, 1, true)).isFalse();
    }

    @Test
    void shouldReadTheNextPageOnlyWhileThisInstanceStillHoldsTheTrader() {
        List<String> claims = Collections.synchronizedList(new ArrayList<>());
        boolean[] granted = {true};
        TradeDetector detector = sharing(claims, granted).readingAtMostPagesPerPoll(10);
        answerWithMore("c-1", row("a-1", "0.42", "10"));
        answerWithMore("c-2", row("a-2", "0.42", "10"));

        TradeDetector.Poll first = detector.pollTrader("alice");
        detector.commit(first);
        granted[0] = false; // the trader's claim went to another instance meanwhile
        TradeDetector.Poll next = detector.pollNextPage(ALICE);

        assertThat(ids(first)).containsExactly("a-1");
        assertThat(next).isEqualTo(new TradeDetector.Poll(ALICE, List.of(), null));
        assertThat(asked).as("no page read without the claim").containsExactly("0");
        assertThat(claims).as("the claim renewed for the next page too").hasSize(2)
                .containsOnly("detect:alice engine-b " + NOW.plusSeconds(30));
        assertThat(detector.pollNextPage(new TraderId("mallory"))).as("not a target")
                .isEqualTo(new TradeDetector.Poll(new TraderId("mallory"), List.of(), null));
    }
}
