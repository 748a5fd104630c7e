package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.PositionSnapshot;
import io.copytrader.venue.VenueHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks made at start with {@code VENUE=polymarket} and a live exchange, before the first order: the order
 * version ({@code GET /version}), our API credentials (an L2 call: {@code GET /balance-allowance}), our pUSD balance
 * and allowances, and what our sizing means against the venue's minimum order size. Each result is printed as one
 * INFO line; when every order would fail, start is refused with one line saying why
 * ({@link PreflightFailure}, exit code 2).
 */
public final class PolymarketPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(PolymarketPreflight.class);
    /** The minimum order size of most CLOB markets, in shares (each market's /book says its own). */
    static final BigDecimal USUAL_MIN_ORDER_SHARES = new BigDecimal("5");
    /** The lowest price a market can have (its smallest tick). */
    static final BigDecimal LOWEST_PRICE = new BigDecimal("0.0001");

    /** Start refused: every order would fail. The message is the one line the operator sees. */
    public static final class PreflightFailure extends IllegalStateException {
        PreflightFailure(String message) {
            super("Polymarket preflight: " + message);
        }
    }

    private PolymarketPreflight() {
    }

    /**
     * Runs the checks and logs one line per result.
     *
     * @return the lines logged
     * @throws PreflightFailure when every order would fail
     */
    public static List<String> run(PolymarketExchangeAdapter adapter, VenueHttpClient http, BigDecimal copyRatio,
                                   BigDecimal maxPositionUsd) {
        List<String> lines = new ArrayList<>();
        lines.add("CLOB order version " + adapter.version() + ", signed for the "
                + PolymarketExchangeAdapter.SIGNABLE.get(adapter.version()).verifyingContract(false) + " exchange");
        lines.add("clock: " + adapter.clobTime().describe());
        // credentials: the L2-signed balance call is refused when the API key is not this signer's
        HttpReply reply = execute(http, adapter, "GET /balance-allowance");
        if (reply.status() == 401 || reply.status() == 403) {
            throw new PreflightFailure("the CLOB refused our API credentials (HTTP " + reply.status() + ") for signer "
                    + adapter.signerAddress() + "; set POLY_API_KEY, POLY_API_SECRET and POLY_PASSPHRASE of this signer,"
                    + " or leave all three empty to derive them");
        }
        if (!reply.isSuccess()) {
            throw new PreflightFailure("GET /balance-allowance answered HTTP " + reply.status()
                    + "; the CLOB cannot be used now, nothing was sent");
        }
        lines.add("API credentials accepted for signer " + adapter.signerAddress());
        JsonNode body = Json.read("CLOB /balance-allowance", reply.body());
        BigDecimal balance = adapter.onBalanceReply(reply);
        List<BigDecimal> allowances = allowances(body);
        boolean noAllowance = !allowances.isEmpty() && allowances.stream().allMatch(a -> a.signum() == 0);
        List<PositionSnapshot> positions = positions(http, adapter);
        lines.add("pUSD balance " + balance.toPlainString() + " at funder " + adapter.funder() + "; allowances "
                + (allowances.isEmpty() ? "not reported" : allowances.stream().map(BigDecimal::toPlainString).toList())
                + "; " + (positions == null ? "positions unknown" : positions.size() + " position(s) held"));
        if (noAllowance) {
            throw new PreflightFailure("the pUSD allowance of funder " + adapter.funder() + " is 0 for every exchange"
                    + " contract: every order would fail with 'not enough balance / allowance'; approve pUSD for the"
                    + " CTF exchanges (README, Polymarket)");
        }
        if (balance.signum() == 0 && positions != null && positions.isEmpty()) {
            throw new PreflightFailure("funder " + adapter.funder() + " has no pUSD and no positions: every order would"
                    + " fail (nothing to buy with, nothing to sell); fund the wallet or run the dry run (EXCHANGE=paper)");
        }
        // sizing: a copy is COPY_RATIO of the target's fill, and the CLOB refuses orders below the market's minimum
        BigDecimal cheapestMinimum = USUAL_MIN_ORDER_SHARES.multiply(LOWEST_PRICE);
        if (maxPositionUsd.compareTo(cheapestMinimum) < 0) {
            throw new PreflightFailure("MAX_POSITION_SIZE_USD " + maxPositionUsd.toPlainString() + " is below the cost"
                    + " of the smallest order the CLOB takes (" + USUAL_MIN_ORDER_SHARES + " shares): every copy would be"
                    + " skipped as SIZING_TOO_SMALL");
        }
        BigDecimal targetShares = copyRatio.signum() == 0 ? null
                : USUAL_MIN_ORDER_SHARES.divide(copyRatio, 2, RoundingMode.UP).stripTrailingZeros();
        lines.add("sizing: COPY_RATIO " + copyRatio.toPlainString() + ", MAX_POSITION_SIZE_USD "
                + maxPositionUsd.toPlainString() + "; most markets take at least " + USUAL_MIN_ORDER_SHARES
                + " shares, so the target's fills under " + (targetShares == null ? "any size" : targetShares.toPlainString()
                + " shares") + " are skipped as SIZING_TOO_SMALL");
        lines.forEach(l -> LOG.info("Polymarket preflight: {}", l));
        return lines;
    }

    private static HttpReply execute(VenueHttpClient http, PolymarketExchangeAdapter adapter, String what) {
        try {
            return http.execute(adapter.balance());
        } catch (IOException e) {
            throw new PreflightFailure(what + " failed (" + e.getClass().getSimpleName() + "): the CLOB at "
                    + adapter.clobUrl() + " cannot be reached");
        }
    }

    /** The Data API's view of our positions; null when it cannot say (not a reason to refuse). */
    private static List<PositionSnapshot> positions(VenueHttpClient http, PolymarketExchangeAdapter adapter) {
        try {
            return adapter.onPositionsReply(http.execute(adapter.positions()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Polymarket preflight: positions unknown ({})", e.toString());
            return null;
        }
    }

    /** {@code allowances: {spender: amount}} (V2) or {@code allowance} (V1 shape), in base units; empty if neither. */
    static List<BigDecimal> allowances(JsonNode body) {
        List<BigDecimal> out = new ArrayList<>();
        JsonNode map = body.path("allowances");
        if (map.isObject()) {
            map.forEach(v -> amount(v).ifPresent(out::add));
        } else if (body.hasNonNull("allowance")) {
            amount(body.get("allowance")).ifPresent(out::add);
        }
        return out;
    }

    private static java.util.Optional<BigDecimal> amount(JsonNode v) {
        try {
            return java.util.Optional.of(new BigDecimal(v.asText().trim()));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty(); // an unreadable amount says nothing either way
        }
    }
}
