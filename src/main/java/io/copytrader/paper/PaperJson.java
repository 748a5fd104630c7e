package io.copytrader.paper;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.copytrader.domain.Decimals;

import java.math.BigDecimal;

/**
 * The JSON rules of the paper venue contract, shared by the server and its clients: numbers with a fraction are
 * read as {@link BigDecimal} (never through double) keeping their scale (0.20 stays 0.20), decimals are written plain (no exponent), enums are read in
 * any case, and every read error is an {@link IllegalArgumentException} naming the field.
 */
public final class PaperJson {
    /** The one configured mapper; thread-safe once built. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private PaperJson() {
    }

    /** Parses a JSON document; {@code what} names it in the error ("order request", "feed page"). */
    public static JsonNode tree(String json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json == null ? "" : json);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException(what + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Binds a JSON document to a type (a record of the contract). */
    public static <T> T read(String json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            String why = e.getCause() instanceof IllegalArgumentException invalid ? invalid.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException(what + " is not readable: " + why);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    /** A required non-blank text field. */
    public static String text(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' must be a non-blank string, but was " + value);
        }
        return value.asText();
    }

    /** A required JSON number, exactly as written. */
    public static BigDecimal decimal(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.isNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a number, but was " + value);
        }
        return Decimals.bounded("field '" + field + "'", value.decimalValue());
    }

    /** A required whole number. */
    public static long integer(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a whole number, but was " + value);
        }
        return value.longValue();
    }

    /** A required price, strictly inside (0, 1). */
    public static BigDecimal price(JsonNode node, String field) {
        BigDecimal price = decimal(node, field);
        if (price.signum() <= 0 || price.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException(field + " " + price.toPlainString() + " is outside (0,1)");
        }
        return price;
    }

    /** A required quantity, strictly positive. */
    public static BigDecimal quantity(JsonNode node, String field) {
        BigDecimal quantity = decimal(node, field);
        if (quantity.signum() <= 0) {
            throw new IllegalArgumentException(field + " " + quantity.toPlainString() + " must be positive");
        }
        return quantity;
    }

    /** An optional decimal: null when absent or JSON null. */
    public static BigDecimal optionalDecimal(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : decimal(node, field);
    }
}
