package io.copytrader.polymarket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.Decimals;

import java.math.BigDecimal;

/** Jackson set up for money: every JSON number is read as BigDecimal/BigInteger, never through double. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private Json() {
    }

    /** @throws IllegalArgumentException naming what was read; the body is not echoed */
    static JsonNode read(String what, String body) {
        try {
            JsonNode node = MAPPER.readTree(body == null ? "" : body);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException(what + ": empty body");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + ": body is not JSON (" + e.getOriginalMessage() + ")");
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Compact JSON: these exact bytes are sent and HMAC-signed. */
    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    /** A decimal field written as a JSON number or a string; exact. */
    static BigDecimal decimal(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (node.isNumber()) {
            return Decimals.bounded(field, node.decimalValue());
        }
        if (node.isTextual()) {
            return Decimals.parse(field, node.textValue());
        }
        throw new IllegalArgumentException(field + " is not a number");
    }

    /** A decimal field, or null when absent, null or empty. */
    static BigDecimal optionalDecimal(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull() || (node.isTextual() && node.textValue().isBlank())) {
            return null;
        }
        return decimal(parent, field);
    }

    /** A text field (a JSON number's literal is accepted too), or null when absent or null. */
    static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isNumber() ? node.numberValue().toString() : node.asText();
    }
}
