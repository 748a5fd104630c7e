package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.InstrumentId;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.PositionSnapshot;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Our account at the venue: pUSD collateral (L2 {@code /balance-allowance}), held shares, and positions (Data API). */
final class ClobAccount {
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

    /** The funder's holdings from the Data API (public, no auth). */
    public HttpCall positions() {
        return HttpCall.get(client.config().dataApiUrl() + "/positions?user=" + client.config().funder().toLowerCase(Locale.ROOT)
                + "&sizeThreshold=0&limit=500");
    }

    public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
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
        List<PositionSnapshot> out = new ArrayList<>();
        for (JsonNode row : rows) {
            BigDecimal size = Json.decimal(row, "size");
            if (size.signum() > 0) {
                out.add(new PositionSnapshot(new InstrumentId(Json.text(row, "asset")), size,
                        Json.optionalDecimal(row, "avgPrice")));
            }
        }
        return out;
    }
}
