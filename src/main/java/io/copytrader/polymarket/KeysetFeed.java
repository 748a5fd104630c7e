package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedClock;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A target's fills from the Data API v2: {@code GET /v2/activity?user=&type=TRADE&sort_direction=ASC&limit=&start=
 * [&cursor=]} (docs/polymarket-feed.md, "Data API v2"). Rows come in {@code (block_timestamp, sequence_id)} order
 * inside a {@code {data, pagination}} envelope; {@code pagination.has_more} is exact and {@code next_cursor} is an
 * opaque keyset anchor bound to the filters and direction it was minted under, so the walk never pages by offset and
 * no tie order is assumed.
 *
 * <p>Two walks, both ascending, as in the v1 reader: <b>the sweep</b> reads the overlap window again a page a poll (from
 * {@code head - overlap}, where {@code head} is the newest block second seen) for rows indexed late behind the
 * keyset anchor; when its page says no more, it has read up to the newest row and the poll is over (one request a
 * poll for a quiet target). When it says more, the same poll reads on at <b>the tail</b>, from where the last poll's
 * reading ended, page after page while {@code has_more}. A walk that ended keeps the request that read its last page
 * (or the {@code next_cursor} if the venue gave one): asked again it returns at most that page again, plus what came
 * after. A stored API cursor the venue refuses (400: expired, or minted under other filters) restarts the reading from
 * {@code head - overlap} without a cursor; rows read again are absorbed by the engine's dedup on their composite id.
 */
final class KeysetFeed {
    /** The keyset cursor: {@code k1:<head>:<sweep start>:<sweep at>:<sweep api cursor|->:<S|T>:<tail start|->:<tail api cursor|->}. */
    static final String PREFIX = "k1:";
    /** Longest API cursor kept (base64url of it in the stored cursor); a longer one is refused as a malformed envelope. */
    static final int MAX_API_CURSOR = 2048;
    private static final Pattern K1 = Pattern.compile(
            "k1:(\\d{1,12}):(\\d{1,12}):(\\d{1,12}):([A-Za-z0-9_-]{1,2800}|-):([ST]):(?:(\\d{1,12}):([A-Za-z0-9_-]{1,2800}|-)|-:-)");
    private static final Pattern API_CURSOR = Pattern.compile("[\\x21-\\x7e]{1," + MAX_API_CURSOR + "}");

    /** One walk's next request: its {@code start} filter (0: none) and the API cursor to resume from (null: none). */
    record Walk(long start, String apiCursor) {
    }

    /**
     * @param head    the newest block second seen
     * @param sweep   the sweep's next request
     * @param sweepAt the newest second the sweep read this round (a sweep left behind the window restarts at its start)
     * @param inTail  this poll reads the tail next
     * @param tail    the tail's next request; null until a poll first needs it
     */
    record Cursor(long head, Walk sweep, long sweepAt, boolean inTail, Walk tail) {
        static Cursor fresh(long head, long start) {
            return new Cursor(head, new Walk(start, null), start, false, null);
        }

        static boolean isKeyset(String text) {
            return text.startsWith(PREFIX);
        }

        static Cursor parse(String text) {
            var m = K1.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a Polymarket feed cursor: '"
                        + PolymarketFeedAdapter.abbreviate(text) + "'");
            }
            Walk tail = m.group(6) == null ? null : new Walk(Long.parseLong(m.group(6)), decode(m.group(7)));
            boolean inTail = m.group(5).equals("T");
            if (inTail && tail == null) {
                throw new IllegalArgumentException("not a Polymarket feed cursor: '"
                        + PolymarketFeedAdapter.abbreviate(text) + "'");
            }
            return new Cursor(Long.parseLong(m.group(1)), new Walk(Long.parseLong(m.group(2)), decode(m.group(4))),
                    Long.parseLong(m.group(3)), inTail, tail);
        }

        String format() {
            return PREFIX + head + ":" + sweep.start() + ":" + sweepAt + ":" + encode(sweep.apiCursor()) + ":"
                    + (inTail ? "T" : "S") + ":" + (tail == null ? "-:-" : tail.start() + ":" + encode(tail.apiCursor()));
        }

        Walk asked() {
            return inTail ? tail : sweep;
        }

        private static String encode(String apiCursor) {
            return apiCursor == null ? "-" : Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(apiCursor.getBytes(StandardCharsets.UTF_8));
        }

        private static String decode(String text) {
            if (text.equals("-")) {
                return null;
            }
            try {
                String cursor = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                if (!API_CURSOR.matcher(cursor).matches()) {
                    throw new IllegalArgumentException();
                }
                return cursor;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a Polymarket feed cursor: its Data API cursor is not readable");
            }
        }
    }

    /** A page's envelope, read before any row: the rows, whether more follow, the anchor to resume from. */
    private record Envelope(JsonNode rows, boolean hasMore, String nextCursor) {
    }

    private final PolymarketFeedAdapter reader;
    private final String dataApiUrl;
    private final int pageSize;
    private final long overlapSeconds;

    /** @param reader the v1 row reader, which every v2 row goes through under the v1 names (the same dedup id) */
    KeysetFeed(PolymarketFeedAdapter reader, String dataApiUrl, int pageSize, long overlapSeconds) {
        this.reader = reader;
        this.dataApiUrl = dataApiUrl;
        this.pageSize = pageSize;
        this.overlapSeconds = overlapSeconds;
    }

    HttpCall fetchPage(String user, Cursor at) {
        Walk walk = at.asked();
        StringBuilder url = new StringBuilder(dataApiUrl).append("/v2/activity?user=").append(user)
                .append("&type=TRADE&sort_direction=ASC&limit=").append(pageSize);
        if (walk.start() > 0) {
            url.append("&start=").append(walk.start());
        }
        if (walk.apiCursor() != null) { // the same filters as the request that minted it, as the cursor requires
            url.append("&cursor=").append(URLEncoder.encode(walk.apiCursor(), StandardCharsets.UTF_8));
        }
        return HttpCall.get(url.toString());
    }

    FeedPage onPage(TraderId trader, Cursor current, HttpReply reply, Instant now) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("Data API /v2/activity", reply);
        }
        Walk asked = current.asked();
        if (reply.status() == 400 && asked.apiCursor() != null) {
            // the stored anchor was refused (expired, or minted under other filters): read again from the window's
            // start without one, in this poll; nothing after head - overlap is skipped, what is read again is deduped
            return new FeedPage(List.of(), restart(current.head(), now).format(), true, true);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("Data API /v2/activity answered HTTP " + reply.status() + ": "
                    + PolymarketFeedAdapter.abbreviate(reply.body()));
        }
        Envelope page = envelope(reply.body());
        List<FeedRow> out = new ArrayList<>();
        // the newest block second, of rows not dated too far ahead of this clock (one would move the head past every
        // real fill dated before it)
        long newest = Long.MIN_VALUE;
        boolean endsAhead = false; // the page's last dated row is too far ahead: the rows after it are too (ascending)
        for (int i = 0; i < page.rows().size(); i++) {
            JsonNode row = v1Names(page.rows().get(i));
            long ts = PolymarketFeedAdapter.second(row);
            boolean ahead = ts >= 0 && FeedClock.tooFarAhead(ts, now);
            if (ts >= 0) {
                endsAhead = ahead;
            }
            if (!ahead) {
                newest = Math.max(newest, ts);
            }
            if (!"TRADE".equalsIgnoreCase(PolymarketFeedAdapter.textOr(row, "type", "TRADE"))) {
                continue; // not a fill to copy (the request asks for TRADE only; kept in case the filter is ignored)
            }
            if (ahead) { // a trade skipped as dated ahead if it reads as one, else malformed (PolymarketFeedAdapter)
                out.add(reader.aheadRow(trader, row, i, ts, now));
                continue;
            }
            try {
                out.add(new FeedRow.Trade(reader.toTrade(trader, row, now)));
            } catch (IllegalArgumentException e) {
                out.add(new FeedRow.Malformed(PolymarketFeedAdapter.rowKey(row, i), Reason.FEED_MALFORMED_ROW,
                        e.getMessage()));
            }
        }
        long head = Math.max(current.head(), newest);
        long windowStart = PolymarketFeedAdapter.windowStart(head, overlapSeconds, now);
        // where the walk just read goes on: the anchor after this page, or, at the end without one, this request again.
        // A page that ends with rows dated too far ahead read up to this clock's present: the walk is at its end, and
        // stays before them (an anchor past them would pass over the real fills indexed meanwhile, all dated before)
        boolean hasMore = page.hasMore() && !endsAhead;
        Walk after = page.nextCursor() != null && !endsAhead ? new Walk(asked.start(), page.nextCursor()) : asked;
        Cursor next;
        boolean more;
        if (!current.inTail()) {
            long sweepAt = Math.max(current.sweepAt(), newest);
            if (!hasMore) {
                // the sweep read from the window's start to the newest row: the poll is done, the next sweeps again
                next = new Cursor(head, new Walk(windowStart, null), windowStart, false, after);
                more = false;
            } else {
                Walk sweep = sweepAt < windowStart ? new Walk(windowStart, null) : after;
                // the sweep goes on from here at the next poll; this poll reads on at the tail, where new rows are
                Walk tail = current.tail() != null ? current.tail() : after;
                next = new Cursor(head, sweep, Math.max(sweepAt, sweep.start()), true, tail);
                more = true;
            }
        } else {
            boolean behind = current.sweepAt() < windowStart;
            Walk sweep = behind ? new Walk(windowStart, null) : current.sweep();
            long sweepAt = behind ? windowStart : current.sweepAt();
            next = new Cursor(head, sweep, sweepAt, hasMore, after);
            more = hasMore;
        }
        return new FeedPage(out, next.format(), more, more);
    }

    /** A reading from the window's start, no API cursor: after a refused anchor, or a cursor of the v1 reader. */
    Cursor restart(long head, Instant now) {
        long windowStart = PolymarketFeedAdapter.windowStart(head, overlapSeconds, now);
        return new Cursor(head, new Walk(windowStart, null), windowStart, false, null);
    }

    private static Envelope envelope(String body) {
        JsonNode root = Json.read("Data API /v2/activity", body);
        if (!root.isObject()) {
            throw new IllegalArgumentException("Data API /v2/activity: expected a {data, pagination} object");
        }
        JsonNode data = root.get("data");
        if (data == null || data.isNull()) {
            data = Json.MAPPER.createArrayNode(); // a documented miss: no rows
        } else if (!data.isArray()) {
            throw new IllegalArgumentException("Data API /v2/activity: data is not an array of activity rows");
        }
        JsonNode pagination = root.get("pagination");
        if (pagination == null || !pagination.isObject()) {
            throw new IllegalArgumentException("Data API /v2/activity: pagination is missing");
        }
        JsonNode hasMore = pagination.get("has_more");
        if (hasMore == null || !hasMore.isBoolean()) {
            throw new IllegalArgumentException("Data API /v2/activity: pagination.has_more is not true or false");
        }
        JsonNode next = pagination.get("next_cursor");
        String cursor = null;
        if (next != null && !next.isNull()) {
            if (!next.isTextual() || !API_CURSOR.matcher(next.textValue()).matches()) {
                throw new IllegalArgumentException("Data API /v2/activity: pagination.next_cursor is not an opaque "
                        + "cursor of printable characters (at most " + MAX_API_CURSOR + ")");
            }
            cursor = next.textValue();
        }
        if (hasMore.booleanValue() && cursor == null) {
            throw new IllegalArgumentException("Data API /v2/activity: has_more without a next_cursor");
        }
        return new Envelope(data, hasMore.booleanValue(), cursor);
    }

    /** v2's snake_case row fields under the v1 names the row reader checks, so both give a fill the same id. */
    private static final Map<String, String> V1_NAMES = Map.of("proxy_wallet", "proxyWallet",
            "transaction_hash", "transactionHash", "token_id", "asset", "outcome_index", "outcomeIndex",
            "condition_id", "conditionId");

    static JsonNode v1Names(JsonNode row) {
        if (!row.isObject()) {
            return row;
        }
        ObjectNode copy = Json.object();
        row.fields().forEachRemaining(f -> copy.set(V1_NAMES.getOrDefault(f.getKey(), f.getKey()), f.getValue()));
        if (row.has("token_id") && row.has("asset") && !row.get("token_id").equals(row.get("asset"))) {
            copy.put("asset", "token_id and asset disagree"); // refused by the row reader, not guessed
        }
        if (!copy.has("timestamp") || copy.get("timestamp").isNull()) {
            JsonNode block = row.get("block_timestamp");
            if (block != null && block.isTextual()) {
                try { // an ISO-8601 instant, read as the epoch second it names
                    copy.put("timestamp", OffsetDateTime.parse(block.textValue()).toEpochSecond());
                } catch (DateTimeException e) {
                    copy.set("timestamp", block);
                }
            } else if (block != null) {
                copy.set("timestamp", block);
            }
        }
        return copy;
    }
}
