package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.JdkVenueHttpClient;
import io.copytrader.venue.VenueHttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Java client of the paper venue's admin API, for tests and tools: emit fills, change rates, inject and clear
 * faults, set cash, read stats. Every failure is an exception naming the call.
 */
public final class PaperVenueAdmin {
    private final String baseUrl;
    private final VenueHttpClient http;

    public PaperVenueAdmin(String baseUrl) {
        this(baseUrl, new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(30)));
    }

    public PaperVenueAdmin(String baseUrl, VenueHttpClient http) {
        this.baseUrl = PaperReplies.trimBaseUrl(baseUrl);
        this.http = http;
    }

    /** Emits {@code count} fills of a trader now (creating the trader if new); returns its last seq. */
    public long emit(String trader, int count) {
        return post("/admin/traders/" + PaperReplies.encode(trader) + "/emit", Map.of("count", count))
                .get("lastSeq").asLong();
    }

    /** Emits these fills of a trader now, in order, one after the other (creating the trader if new); returns its last seq. */
    public long emitFills(String trader, List<ScriptedFill> fills) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ScriptedFill f : fills) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("instrument", f.instrument());
            row.put("outcome", f.outcome());
            row.put("side", f.side().name());
            row.put("price", f.price());
            row.put("quantity", f.quantity());
            if (f.orderId() != null) {
                row.put("orderId", f.orderId());
            }
            rows.add(row);
        }
        return post("/admin/traders/" + PaperReplies.encode(trader) + "/fills", Map.of("fills", rows)).get("lastSeq").asLong();
    }

    /** Emits a pattern ({@link FeedPatterns}); {@code request} holds "pattern" and its arguments. Returns the last seq. */
    public long emitPattern(String trader, Map<String, Object> request) {
        return post("/admin/traders/" + PaperReplies.encode(trader) + "/patterns", request).get("lastSeq").asLong();
    }

    /** Sets a trader's emission rate in trades per second (creating the trader if new; 0 pauses it). */
    public void setRate(String trader, double tradesPerSecond) {
        post("/admin/traders/" + PaperReplies.encode(trader) + "/rate", Map.of("tradesPerSecond", tradesPerSecond));
    }

    public void injectFault(FaultSpec fault) {
        post("/admin/faults", fault);
    }

    public void clearFaults() {
        call(new HttpCall("DELETE", baseUrl + "/admin/faults", Map.of(), null));
    }

    /** Sets the free cash; returns the balance after. */
    public BalanceView setCash(BigDecimal cash) {
        return PaperJson.MAPPER.convertValue(post("/admin/balance", Map.of("cash", cash)), BalanceView.class);
    }

    public VenueStats stats() {
        return PaperJson.MAPPER.convertValue(call(HttpCall.get(baseUrl + "/admin/stats")), VenueStats.class);
    }

    private JsonNode post(String path, Object body) {
        return call(HttpCall.postJson(baseUrl + path, PaperJson.write(body)));
    }

    private JsonNode call(HttpCall call) {
        HttpReply reply;
        try {
            reply = http.execute(call);
        } catch (IOException e) {
            throw new UncheckedIOException("paper venue admin call " + call + " failed: " + e.getMessage(), e);
        }
        if (!reply.isSuccess()) {
            throw new IllegalStateException("paper venue admin call " + call + " answered " + reply.status() + ": " + reply.body());
        }
        return PaperJson.tree(reply.body(), "admin answer to " + call);
    }
}
