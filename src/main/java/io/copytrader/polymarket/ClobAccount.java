package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.InstrumentId;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.PositionSnapshot;

import io.copytrader.venue.TransientVenueException;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Our account at the venue: pUSD collateral (L2 {@code /balance-allowance}), held shares, and positions (Data API). */
final class ClobAccount {
    /** Rows per page of the Data API's {@code /positions} (its maximum). */
    static final int POSITIONS_PAGE = 500;
    /** The Data API's deepest offset. */
    static final int MAX_POSITIONS_OFFSET = 10_000;

    private final ClobClient client;

    ClobAccount(ClobClient client) {
        this.client = client;
    }

    public HttpCall balance() {
        return client.l2("GET", "/balance-allowance", "?asset_type=COLLATERAL&signature_type=" + client.config().signatureType().code(), null);
    }

    /** pUSD available, from 6-decimal base units. */
    public BigDecimal onBalanceReply(HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("GET /balance-allowance", reply);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("CLOB GET /balance-allowance answered HTTP " + reply.status());
        }
        return baseUnits(Json.read("CLOB /balance-allowance", reply.body()));
    }

    static BigDecimal baseUnits(JsonNode body) {
        return OrderAmounts.fromBaseUnits(Json.decimal(body, "balance"));
    }

    /** The shares of {@code token} we hold, after asking the CLOB to refresh its cached balance. */
    BigDecimal heldShares(String token) {
        String query = "asset_type=CONDITIONAL&token_id=" + token + "&signature_type=" + client.config().signatureType().code();
        client.fetch(ClobRateLimits.Bucket.BALANCE_UPDATE, "CLOB /balance-allowance/update",
                client.l2("GET", "/balance-allowance/update", "?" + query, null));
        return baseUnits(Json.read("CLOB /balance-allowance", client.fetch(ClobRateLimits.Bucket.BALANCE,
                "CLOB /balance-allowance", client.l2("GET", "/balance-allowance", "?" + query, null)).body()));
    }

    /** The funder's holdings from the Data API (public, no auth): the first page. */
    public HttpCall positions() {
        return positionsPage(0);
    }

    private HttpCall positionsPage(int offset) {
        return HttpCall.get(client.config().dataApiUrl() + "/positions?user=" + client.config().funder().toLowerCase(Locale.ROOT)
                + "&sizeThreshold=0&limit=" + POSITIONS_PAGE + (offset > 0 ? "&offset=" + offset : ""));
    }

    /**
     * Every position, the first page being {@code reply}: the Data API answers at most {@value #POSITIONS_PAGE} rows
     * a page, and an account that copied for months holds more (resolved and dust positions included), so a full
     * page is followed by the next ({@code offset}) until a short one. Only the first row of an asset counts, and a
     * page that adds no new asset ends the reading: a server that ignored the offset would repeat the first page.
     *
     * @throws IllegalStateException past {@value #MAX_POSITIONS_OFFSET} rows: a book missing positions would skip
     *                               the sells of the ones it misses, so none is taken
     */
    public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
        Map<String, PositionSnapshot> byAsset = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        int offset = 0;
        while (true) {
            int before = seen.size();
            int rows = addPage(reply, byAsset, seen);
            if (rows < POSITIONS_PAGE || seen.size() == before) {
                return new ArrayList<>(byAsset.values());
            }
            offset += POSITIONS_PAGE;
            if (offset > MAX_POSITIONS_OFFSET) {
                throw new IllegalStateException("Data API /positions: more than " + MAX_POSITIONS_OFFSET
                        + " positions; the book cannot be read whole");
            }
            try {
                reply = client.execute(ClobRateLimits.Bucket.GENERAL, "Data API /positions", positionsPage(offset));
            } catch (IOException e) {
                throw new TransientVenueException("Data API /positions failed: " + e.getClass().getSimpleName(), 0, null);
            }
        }
    }

    /** Adds one page's held positions (first row of an asset wins); returns how many rows the page had. */
    private static int addPage(HttpReply reply, Map<String, PositionSnapshot> byAsset, Set<String> seen) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("Data API /positions", reply);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("Data API /positions answered HTTP " + reply.status());
        }
        JsonNode rows = Json.read("Data API /positions", reply.body());
        if (!rows.isArray()) {
            throw new IllegalArgumentException("Data API /positions: expected a JSON array");
        }
        for (JsonNode row : rows) {
            BigDecimal size = Json.decimal(row, "size");
            String asset = Json.text(row, "asset");
            if (seen.add(asset) && size.signum() > 0) {
                byAsset.put(asset, new PositionSnapshot(new InstrumentId(asset), size,
                        Json.optionalDecimal(row, "avgPrice")));
            }
        }
        return rows.size();
    }
}
