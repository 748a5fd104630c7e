package io.copytrader.chain;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One EVM log as a node returns it (eth_getLogs, or a logs subscription): hex strings lower-cased, numbers parsed.
 *
 * @param removed true when a reorg took the log's block out of the chain (subscriptions only)
 */
public record ChainLog(String address, List<String> topics, String data, long blockNumber, String blockHash,
                       String txHash, long logIndex, boolean removed) {
    public ChainLog {
        topics = List.copyOf(topics);
    }

    /** Reads a log object; a clear IllegalArgumentException when a field is missing or not hex. */
    public static ChainLog parse(JsonNode log) {
        if (log == null || !log.isObject()) {
            throw new IllegalArgumentException("log is not a JSON object");
        }
        JsonNode topics = log.get("topics");
        if (topics == null || !topics.isArray()) {
            throw new IllegalArgumentException("log has no topics array");
        }
        List<String> t = new ArrayList<>(topics.size());
        topics.forEach(n -> t.add(hex(n.asText(), "topic")));
        JsonNode removed = log.get("removed");
        return new ChainLog(hex(text(log, "address"), "address"), t, hex(text(log, "data"), "data"),
                quantity(text(log, "blockNumber"), "blockNumber"), hex(text(log, "blockHash"), "blockHash"),
                hex(text(log, "transactionHash"), "transactionHash"), quantity(text(log, "logIndex"), "logIndex"),
                removed != null && removed.asBoolean(false));
    }

    /** The log's identity across reorgs as far as the node is concerned (the block hash changes on re-inclusion). */
    public String position() {
        return blockNumber + "/" + txHash + "/" + logIndex;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || !v.isTextual()) {
            throw new IllegalArgumentException("log field " + field + " is missing");
        }
        return v.textValue();
    }

    static String hex(String value, String field) {
        if (value == null || !value.startsWith("0x") || !value.substring(2).chars().allMatch(ChainLog::isHexDigit)) {
            throw new IllegalArgumentException(field + " is not 0x-prefixed hex");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /** An Ethereum JSON-RPC quantity ("0x1a"). */
    public static long quantity(String value, String field) {
        String h = hex(value, field);
        if (h.length() < 3 || h.length() > 18) {
            throw new IllegalArgumentException(field + " is not a 64-bit quantity");
        }
        return Long.parseUnsignedLong(h.substring(2), 16);
    }

    /** A block's time: a quantity of seconds since the epoch that names an instant, else IllegalArgumentException. */
    public static Instant epochSecond(String value, String field) {
        long seconds = quantity(value, field);
        if (seconds < 0 || seconds > Instant.MAX.getEpochSecond()) {
            throw new IllegalArgumentException(field + " " + value + " is not a time in seconds");
        }
        return Instant.ofEpochSecond(seconds);
    }

    public static String quantity(long value) {
        return "0x" + Long.toHexString(value);
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
