package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedAdapter;
import io.copytrader.venue.FeedClock;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A target's fills from the Data API: {@code GET /activity?user=&type=TRADE&sortBy=TIMESTAMP&sortDirection=ASC
 * &start=} (contract 2.1). No auth; the general Data API limit (1,000 requests / 10 s) applies.
 *
 * <p><b>Cursor</b>, opaque to the engine: {@code v2:<head>:<sweep>[+<offset>]:<head position>|-} (docs/polymarket-feed.md).
 * Each poll sweeps one page of the overlap window again ({@code head - overlap} on, a page a poll) for rows the Data
 * API indexes late, and when that page was full reads on in the same poll from the newest second seen (the head), so
 * a new fill is read at the next poll however many old rows share the window. Both follow timestamps, reading a page's
 * newest second again from its first row (ties of one second come in no documented order); only a second of more
 * than a page is paged by {@code offset}, up to {@link #MAX_OFFSET}. Rows read again are deduplicated by the engine on
 * their composite id.
 *
 * <p><b>Row id</b> ({@link SourceTradeId}): {@code txHash:asset:side:size@price}, lower-case hash, decimals without
 * trailing zeros. One transaction can fill several orders of the same trader, so the hash alone is not unique.
 *
 * <p><b>v2</b>: with {@link FeedApi#V2} the same target is read from {@code GET /v2/activity} with the Data API's keyset
 * cursor instead ({@link KeysetFeed}); its rows go through the same row reader, so a fill has the same id either way.
 *
 * <p><b>Outcome</b>: the instrument is the {@code asset} token id, the exact outcome token the target traded, so
 * the copy buys the same side of the market; {@code outcome}/{@code outcomeIndex} are kept as the label.
 */
public final class PolymarketFeedAdapter implements FeedAdapter {
    static final int MAX_OFFSET = 5000;
    /** Rows per page of the Data API's {@code /positions} (its maximum), and its deepest offset. */
    static final int POSITIONS_PAGE = 500;
    static final int MAX_POSITIONS_OFFSET = 10_000;
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern TX_HASH = Pattern.compile("0x[0-9a-fA-F]{64}");
    private static final Pattern TOKEN_ID = Pattern.compile("[0-9]{1,78}");
    /** Epoch seconds beyond this look like milliseconds: the row is refused rather than dated in year 50,000. */
    private static final long MAX_EPOCH_SECONDS = 100_000_000_000L;

    private final String dataApiUrl;
    private final int pageSize;
    private final long overlapSeconds;
    private final long initialLookbackSeconds;
    private final Clock clock;
    private final FeedApi api;
    private final KeysetFeed keyset;

    /** Reads {@code GET /activity} (the v1 Data API). */
    public PolymarketFeedAdapter(String dataApiUrl, int pageSize, Duration overlap, Duration initialLookback,
                                 Clock clock) {
        this(dataApiUrl, pageSize, overlap, initialLookback, clock, FeedApi.V1);
    }

    /**
     * @param initialLookback with no cursor, start this far back from now; zero means from the venue's beginning
     * @param api             the route read: {@code GET /activity} or {@code GET /v2/activity} ({@link KeysetFeed})
     */
    public PolymarketFeedAdapter(String dataApiUrl, int pageSize, Duration overlap, Duration initialLookback,
                                 Clock clock, FeedApi api) {
        this.dataApiUrl = stripSlash(dataApiUrl);
        if (pageSize < 1 || pageSize > 500) {
            throw new IllegalArgumentException("page size must be in [1, 500], but was " + pageSize);
        }
        this.pageSize = pageSize;
        this.overlapSeconds = overlap.toSeconds();
        this.initialLookbackSeconds = initialLookback.toSeconds();
        this.clock = clock;
        this.api = api;
        this.keyset = new KeysetFeed(this, this.dataApiUrl, pageSize, overlapSeconds);
    }

    @Override
    public String name() {
        return "polymarket";
    }

    /**
     * Where the poll reads next. {@code head}: the second from which the head reads new rows (the newest second seen, or
     * the one after it when that second held more than a page). The sweep reads the window again for rows indexed
     * late: {@code sweep}, with {@code sweepOffset} -1 to read from that second on, or the offset inside that second
     * when it holds more than a page. {@code headAt}/{@code headOffset}: the head's next page while this poll reads
     * the head ({@code inHead}).
     */
    record Cursor(long head, long sweep, int sweepOffset, boolean inHead, long headAt, int headOffset) {
        private static final Pattern V2 = Pattern.compile(
                "v2:(\\d{1,12}):(\\d{1,12})(?:\\+(\\d{1,5}))?:(?:-|(\\d{1,12})(?:\\+(\\d{1,5}))?)");
        private static final Pattern V1 = Pattern.compile("v1:(\\d{1,12}):\\d{1,5}");

        static Cursor parse(String text, long overlapSeconds) {
            var v2 = V2.matcher(text);
            if (v2.matches()) {
                int sweepOffset = offset(v2.group(3));
                int headOffset = offset(v2.group(5));
                if (sweepOffset <= MAX_OFFSET && headOffset <= MAX_OFFSET) {
                    return new Cursor(Long.parseLong(v2.group(1)), Long.parseLong(v2.group(2)), sweepOffset,
                            v2.group(4) != null, v2.group(4) == null ? 0 : Long.parseLong(v2.group(4)), headOffset);
                }
            }
            if (KeysetFeed.Cursor.isKeyset(text)) { // stored by the v2 reader: its newest second, swept again
                long head = KeysetFeed.Cursor.parse(text).head();
                return idle(head, Math.max(0, head - overlapSeconds));
            }
            var v1 = V1.matcher(text);
            if (v1.matches()) { // a cursor stored before 2026-12: its watermark, swept again from the window's start
                long watermark = Long.parseLong(v1.group(1));
                return idle(watermark, Math.max(0, watermark - overlapSeconds));
            }
            throw new IllegalArgumentException("not a Polymarket feed cursor: '" + abbreviate(text) + "'");
        }

        private static int offset(String digits) {
            return digits == null ? -1 : Integer.parseInt(digits);
        }

        /** A poll that starts with the sweep at {@code sweep}, reading from that second on. */
        static Cursor idle(long head, long sweep) {
            return new Cursor(head, sweep, -1, false, 0, -1);
        }

        String format() {
            return "v2:" + head + ":" + sweep + (sweepOffset >= 0 ? "+" + sweepOffset : "") + ":"
                    + (inHead ? headAt + (headOffset >= 0 ? "+" + headOffset : "") : "-");
        }

        long at() {
            return inHead ? headAt : sweep;
        }

        int offset() {
            return inHead ? headOffset : sweepOffset;
        }
    }

    /** Where a stream (the sweep or the head) reads next: a second, and -1 or the offset inside it; or its end. */
    private record Position(long second, int offset, boolean end) {
    }

    @Override
    public HttpCall fetchPage(TraderId trader, String cursor) {
        String user = requireAddress(trader);
        if (api == FeedApi.V2) {
            return keyset.fetchPage(user, keysetCursor(cursor, clock.instant()));
        }
        Cursor at = cursor(cursor, clock.instant());
        StringBuilder url = new StringBuilder(dataApiUrl).append("/activity?user=").append(user)
                .append("&type=TRADE&sortBy=TIMESTAMP&sortDirection=ASC&limit=").append(pageSize);
        if (at.offset() >= 0) { // inside one second of more than a page
            url.append("&start=").append(at.at()).append("&end=").append(at.at());
            if (at.offset() > 0) {
                url.append("&offset=").append(at.offset());
            }
        } else if (at.at() > 0) {
            url.append("&start=").append(at.at());
        }
        return HttpCall.get(url.toString());
    }

    /** {@code GET /positions?user=} (contract: size is the quantity of the {@code asset} token held). */
    @Override
    public Optional<HttpCall> fetchPositions(TraderId trader) {
        return Optional.of(HttpCall.get(dataApiUrl + "/positions?user=" + requireAddress(trader) + "&sizeThreshold=0&limit="
                + POSITIONS_PAGE));
    }

    /**
     * The Data API answers at most {@value #POSITIONS_PAGE} positions a page; a full page is followed by the next
     * ({@code offset}), down to its deepest offset. A target followed for its size often holds more than a page.
     */
    @Override
    public Optional<HttpCall> nextPositionsPage(TraderId trader, HttpReply previous, int pagesRead) {
        JsonNode rows = Json.read("Data API /positions", previous.body());
        int offset = pagesRead * POSITIONS_PAGE;
        if (!rows.isArray() || rows.size() < POSITIONS_PAGE || offset > MAX_POSITIONS_OFFSET) {
            return Optional.empty();
        }
        return Optional.of(HttpCall.get(fetchPositions(trader).orElseThrow().url() + "&offset=" + offset));
    }

    /**
     * The Data API's general limit is 1,000 requests in 10 s (docs: api-reference/rate-limits), for every endpoint
     * together: the page polls keep to 80 a second, leaving a fifth for the positions reads (targets' seeds, the
     * book's refresh).
     */
    @Override
    public int pageRequestsPerSecond() {
        return 80;
    }

    @Override
    public Map<InstrumentId, BigDecimal> onPositions(TraderId trader, HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("Data API /positions", reply);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("Data API /positions answered HTTP " + reply.status() + ": "
                    + abbreviate(reply.body()));
        }
        JsonNode rows = Json.read("Data API /positions", reply.body());
        if (!rows.isArray()) {
            throw new IllegalArgumentException("Data API /positions: expected a JSON array of positions");
        }
        Map<InstrumentId, BigDecimal> positions = new HashMap<>();
        for (JsonNode row : rows) {
            String asset = Json.text(row, "asset");
            BigDecimal size = Json.optionalDecimal(row, "size");
            if (asset != null && TOKEN_ID.matcher(asset).matches() && size != null && size.signum() > 0) {
                positions.merge(new InstrumentId(asset), size, BigDecimal::add);
            }
        }
        return positions;
    }

    /**
     * The cursor to read from; with none, a first poll from the configured lookback (or the beginning). A cursor whose
     * newest second is too far ahead of this clock was moved there by a row dated ahead, before such rows were refused:
     * it is read again from the window behind this clock, where the fills it passed over since are.
     */
    private Cursor cursor(String cursor, Instant now) {
        if (cursor != null) {
            Cursor at = Cursor.parse(cursor, overlapSeconds);
            return FeedClock.tooFarAhead(at.head(), now) ? Cursor.idle(now.getEpochSecond(), windowStart(now)) : at;
        }
        long start = initialLookbackSeconds > 0
                ? Math.max(0, clock.instant().getEpochSecond() - initialLookbackSeconds) : 0;
        return Cursor.idle(start, start);
    }

    /**
     * The v2 reader's cursor: with none, a first reading from the configured lookback (or the beginning); a cursor of
     * the v1 reader (the setting was switched) reads again from its newest second less the overlap.
     */
    private KeysetFeed.Cursor keysetCursor(String cursor, Instant now) {
        if (cursor == null) {
            long start = initialLookbackSeconds > 0
                    ? Math.max(0, clock.instant().getEpochSecond() - initialLookbackSeconds) : 0;
            return KeysetFeed.Cursor.fresh(start, start);
        }
        long head = KeysetFeed.Cursor.isKeyset(cursor) ? KeysetFeed.Cursor.parse(cursor).head()
                : Cursor.parse(cursor, overlapSeconds).head();
        if (FeedClock.tooFarAhead(head, now)) { // moved there by a row dated ahead: as in the v1 reader's cursor
            return keyset.restart(now.getEpochSecond(), now);
        }
        if (KeysetFeed.Cursor.isKeyset(cursor)) {
            return KeysetFeed.Cursor.parse(cursor);
        }
        return keyset.restart(head, now);
    }

    private long windowStart(Instant now) {
        return windowStart(now.getEpochSecond(), overlapSeconds, now);
    }

    /**
     * The overlap window's start: {@code overlap} behind the newest second seen, or behind this clock when that second
     * is ahead of it. A row dated ahead, but not so far that it is left out of the cursor ({@link FeedClock}), moves the
     * head there; the window must not follow it past the clock, or the real fills dated before it, indexed after, would
     * be behind the window whatever the overlap (0 to 3600 s).
     */
    static long windowStart(long head, long overlapSeconds, Instant now) {
        return Math.max(0, Math.min(head, now.getEpochSecond()) - overlapSeconds);
    }

    /**
     * A row dated more than {@link FeedClock#ROW_TOLERANCE} ahead of this clock (it moves no cursor). When it reads as
     * a fill it is a trade now, so the engine admits it at once and the filter skips it as dated ahead
     * ({@code FILTER_DATED_AHEAD}, judged against the time it was read): its outcome is stored, dedup absorbs every
     * later reading, across restarts, and it is counted and logged once. It is never copied: waiting until the
     * clock catches up with it would not make its time right; it joins no other fill's copy either
     * ({@code FillAggregation.groupKey}). A row that does not read as a fill stays malformed.
     */
    FeedRow aheadRow(TraderId trader, JsonNode row, int position, long second, Instant now) {
        try {
            return new FeedRow.Trade(toTrade(trader, row, now));
        } catch (IllegalArgumentException e) {
            return new FeedRow.Malformed(rowKey(row, position), Reason.FEED_MALFORMED_ROW,
                    FeedClock.aheadDetail(second, now) + "; " + e.getMessage());
        }
    }

    @Override
    public FeedPage onPage(TraderId trader, String cursor, HttpReply reply, Instant now) {
        if (api == FeedApi.V2) {
            return keyset.onPage(trader, keysetCursor(cursor, now), reply, now);
        }
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("Data API /activity", reply);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("Data API /activity answered HTTP " + reply.status() + ": "
                    + abbreviate(reply.body()));
        }
        JsonNode page = Json.read("Data API /activity", reply.body());
        if (!page.isArray()) {
            throw new IllegalArgumentException("Data API /activity: expected a JSON array of activity rows");
        }
        Cursor current = cursor(cursor, now);
        List<FeedRow> rows = new ArrayList<>();
        // the page's oldest and newest seconds, of every row that tells one (a malformed row still takes its place),
        // but a row dated too far ahead of this clock: it would move the cursor past every real fill dated before it
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        boolean endsAhead = false; // the page's last dated row is too far ahead: the rows after it are too (ascending)
        for (int i = 0; i < page.size(); i++) {
            JsonNode row = page.get(i);
            long ts = second(row);
            boolean ahead = ts >= 0 && FeedClock.tooFarAhead(ts, now);
            if (ts >= 0) {
                endsAhead = ahead;
            }
            if (ts >= 0 && !ahead) {
                oldest = Math.min(oldest, ts);
                newest = Math.max(newest, ts);
            }
            if (!"TRADE".equalsIgnoreCase(textOr(row, "type", "TRADE"))) {
                continue; // SPLIT, MERGE, REDEEM ...: not a fill to copy
            }
            if (ahead) {
                rows.add(aheadRow(trader, row, Math.max(0, current.offset()) + i, ts, now));
                continue;
            }
            try {
                rows.add(new FeedRow.Trade(toTrade(trader, row, now)));
            } catch (IllegalArgumentException e) {
                rows.add(new FeedRow.Malformed(rowKey(row, Math.max(0, current.offset()) + i),
                        Reason.FEED_MALFORMED_ROW, e.getMessage()));
            }
        }
        // a page that ends with rows dated too far ahead read up to this clock's present: the reading is at its end
        boolean full = page.size() >= pageSize && !endsAhead;
        long at = current.at();
        int offset = current.offset();
        if (newest == Long.MIN_VALUE) { // no row tells its second: the page is taken as of the second asked for
            oldest = at;
            newest = at;
        }
        long head = Math.max(current.head(), page.isEmpty() ? current.head() : newest);
        Position next;
        if (offset < 0) { // from second `at` on
            next = !full ? new Position(0, -1, true)
                    : newest > oldest ? new Position(newest, -1, false) // that second again, from its first row
                    : new Position(newest, 0, false); // a page of one second: page inside it
        } else { // inside second `at`
            if (full) {
                head = Math.max(head, at + 1); // a second of more than a page: the head leaves it to the sweep
            }
            next = !full ? new Position(at + 1, -1, false)
                    : offset + page.size() <= MAX_OFFSET ? new Position(at, offset + page.size(), false)
                    // past the Data API's deepest offset: the rest of this second cannot be read by offset
                    : new Position(at + 1, -1, false);
        }
        long windowStart = windowStart(head, overlapSeconds, now);
        Cursor after;
        boolean more;
        if (!current.inHead()) {
            if (next.end()) {
                // the sweep read from its second to the newest row: the whole poll is done, the next sweeps again
                after = Cursor.idle(head, windowStart);
                more = false;
            } else {
                // the sweep goes on at the next poll from here; this poll reads on at the head, the new rows
                Position sweep = next.second() < windowStart ? new Position(windowStart, -1, false) : next;
                long headAt = Math.max(current.head(), newest);
                after = new Cursor(head, sweep.second(), sweep.offset(), true, headAt, -1);
                more = true;
            }
        } else if (next.end()) {
            after = sweepFrom(head, current, windowStart);
            more = false;
        } else {
            Cursor sweep = sweepFrom(head, current, windowStart);
            after = new Cursor(head, sweep.sweep(), sweep.sweepOffset(), true, next.second(), next.offset());
            more = true;
        }
        // the Data API tells no count: a full page may have more after it. Every page that says more moves the cursor,
        // and belongs to the same poll (the engine reads it in this tick even if it brought nothing new)
        return new FeedPage(rows, after.format(), more, more);
    }

    /** The poll's sweep where it stopped, or the window's start if the window moved past it. */
    private static Cursor sweepFrom(long head, Cursor current, long windowStart) {
        return current.sweep() < windowStart ? Cursor.idle(head, windowStart)
                : new Cursor(head, current.sweep(), current.sweepOffset(), false, 0, -1);
    }

    /** A row's timestamp in epoch seconds, or -1 when it has none that reads as one (the row is malformed). */
    static long second(JsonNode row) {
        JsonNode ts = row.isObject() ? row.get("timestamp") : null;
        if (ts == null || !ts.canConvertToLong() || !ts.isIntegralNumber()) {
            return -1;
        }
        long value = ts.asLong();
        return value > 0 && value < MAX_EPOCH_SECONDS ? value : -1;
    }

    DetectedTrade toTrade(TraderId trader, JsonNode row, Instant now) {
        String wallet = Json.text(row, "proxyWallet");
        if (wallet != null && !wallet.equalsIgnoreCase(trader.value())) {
            throw new IllegalArgumentException("proxyWallet " + abbreviate(wallet) + " is not the requested trader");
        }
        String tx = Json.text(row, "transactionHash");
        if (tx == null || !TX_HASH.matcher(tx).matches()) {
            throw new IllegalArgumentException("transactionHash is missing or not a 32-byte hex hash");
        }
        String asset = Json.text(row, "asset");
        if (asset == null || !TOKEN_ID.matcher(asset).matches()) {
            throw new IllegalArgumentException("asset is missing or not a decimal token id");
        }
        Side side = Side.parse(Json.text(row, "side"));
        BigDecimal price = Json.decimal(row, "price");
        if (price.signum() <= 0 || price.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("price " + price.toPlainString() + " is outside (0,1)");
        }
        BigDecimal size = Json.decimal(row, "size");
        if (size.signum() <= 0) {
            throw new IllegalArgumentException("size " + size.toPlainString() + " is not positive");
        }
        BigDecimal ts = Json.decimal(row, "timestamp");
        if (ts.signum() <= 0 || ts.stripTrailingZeros().scale() > 0 || ts.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) >= 0) {
            throw new IllegalArgumentException("timestamp " + ts.toPlainString() + " is not epoch seconds");
        }
        String outcome = Json.text(row, "outcome");
        String index = Json.text(row, "outcomeIndex");
        String label = outcome != null && !outcome.isBlank() ? outcome : index != null ? "outcome#" + index : null;
        return new DetectedTrade(sourceTradeId(tx, asset, side, size, price), trader, new InstrumentId(asset), label,
                side, price, size, Decimals.notional(price, size), Instant.ofEpochSecond(ts.longValueExact()), now,
                tx.toLowerCase(Locale.ROOT));
    }

    /** The composite dedup key; hashed (sha256) only if it would not fit a {@link SourceTradeId}. */
    public static SourceTradeId sourceTradeId(String txHash, String asset, Side side, BigDecimal size, BigDecimal price) {
        String key = txHash.toLowerCase(Locale.ROOT) + ":" + asset + ":" + side + ":" + plain(size) + "@" + plain(price);
        if (key.length() <= 200) {
            return new SourceTradeId(key);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return new SourceTradeId("sha256:" + HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    static String rowKey(JsonNode row, int position) {
        String tx = row.isObject() ? Json.text(row, "transactionHash") : null;
        return tx != null && TX_HASH.matcher(tx).matches() ? tx.toLowerCase(Locale.ROOT) : "row#" + position;
    }

    static String textOr(JsonNode row, String field, String fallback) {
        String value = row.isObject() ? Json.text(row, field) : null;
        return value == null || value.isBlank() ? fallback : value;
    }

    static String requireAddress(TraderId trader) {
        if (!ADDRESS.matcher(trader.value()).matches()) {
            throw new IllegalArgumentException("a Polymarket trader must be a 0x wallet address (40 hex digits), but was '"
                    + abbreviate(trader.value()) + "'");
        }
        return trader.value().toLowerCase(Locale.ROOT);
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }
}
