package io.copytrader.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A detected trade on the Kafka copy queue: a flat JSON object, decimals as strings (exact), instants in ISO-8601.
 * Named in the queue's endpoint URIs as both {@code valueSerializer} and {@code valueDeserializer}. A record that
 * does not parse fails the consumer's exchange (and goes to the dead letters), never the consumer.
 */
public final class TradeJson implements Serializer<DetectedTrade>, Deserializer<DetectedTrade> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] serialize(String topic, DetectedTrade t) {
        if (t == null) {
            return null;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("sourceTradeId", t.sourceTradeId().value());
        n.put("trader", t.trader().value());
        n.put("instrument", t.instrument().value());
        n.put("outcome", t.outcome());
        n.put("side", t.side().name());
        n.put("price", t.price().toPlainString());
        n.put("quantity", t.quantity().toPlainString());
        n.put("notional", t.notional().toPlainString());
        n.put("tsEvent", t.tsEvent().toString());
        n.put("tsInit", t.tsInit().toString());
        if (t.sourceOrder() != null) {
            n.put("sourceOrder", t.sourceOrder());
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new SerializationException("could not write trade " + t.key(), e);
        }
    }

    @Override
    public DetectedTrade deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(data);
            JsonNode outcome = n.get("outcome");
            JsonNode sourceOrder = n.get("sourceOrder");
            return new DetectedTrade(new SourceTradeId(text(n, "sourceTradeId")), new TraderId(text(n, "trader")),
                    new InstrumentId(text(n, "instrument")), outcome == null || outcome.isNull() ? null : outcome.asText(),
                    Side.valueOf(text(n, "side")), positive(n, "price"), positive(n, "quantity"),
                    positive(n, "notional"),
                    Instant.parse(text(n, "tsEvent")), Instant.parse(text(n, "tsInit")),
                    sourceOrder == null || sourceOrder.isNull() ? null : sourceOrder.asText());
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("unreadable trade on topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing held
    }

    /**
     * A decimal field, positive and within {@link Decimals#MAX_DIGITS} digits: the feeds admit no other, and a record
     * that is not one of ours (1e999999999 is a short text, and sizing it would build a number of a billion digits)
     * must fail here, not in sizing or on the way to an order.
     */
    private static BigDecimal positive(JsonNode n, String field) {
        BigDecimal value = Decimals.parse(field, text(n, field));
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(field + " " + value.toPlainString() + " is not positive");
        }
        return value;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return v.asText();
    }
}
