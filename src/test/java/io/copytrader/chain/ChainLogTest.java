package io.copytrader.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node's log and quantities read strictly: a clear IllegalArgumentException for what is not there or not hex. */
class ChainLogTest {
    private static final String TX = "0x" + "Ab".repeat(32);

    /** A log as a node sends it, upper-case hex in places. */
    static ObjectNode json() {
        ObjectNode log = JsonRpcWebSocket.MAPPER.createObjectNode().put("address", "0xE111180000d2663C0091e4f400237545B87B996B");
        log.putArray("topics").add("0xD543").add("0x0f");
        return log.put("data", "0x").put("blockNumber", "0x4D7C6D7").put("blockHash", "0x" + "Cd".repeat(32))
                .put("transactionHash", TX).put("logIndex", "0x1a").put("removed", false);
    }

    static String refusal(JsonNode log) {
        try {
            ChainLog.parse(log);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("read: " + log);
    }

    @Test
    void shouldReadALogLowerCasingItsHexAndParsingItsNumbers() {
        ChainLog log = ChainLog.parse(json());

        assertThat(log.address()).isEqualTo("0xe111180000d2663c0091e4f400237545b87b996b");
        assertThat(log.topics()).containsExactly("0xd543", "0x0f");
        assertThat(log.data()).isEqualTo("0x");
        assertThat(log.blockNumber()).isEqualTo(81_250_007L);
        assertThat(log.blockHash()).isEqualTo("0x" + "cd".repeat(32));
        assertThat(log.txHash()).isEqualTo(TX.toLowerCase());
        assertThat(log.logIndex()).isEqualTo(26);
        assertThat(log.removed()).isFalse();
        assertThat(log.position()).isEqualTo("81250007/" + TX.toLowerCase() + "/26");
        assertThat(ChainLog.parse(json().put("removed", true)).removed()).isTrue();
        ObjectNode noRemoved = json();
        noRemoved.remove("removed");
        assertThat(ChainLog.parse(noRemoved).removed()).as("eth_getLogs' logs need not say").isFalse();
    }

    @Test
    void shouldRefuseALogWithAFieldMissingNullNotTextOrNotHex() {
        assertThat(refusal(JsonRpcWebSocket.MAPPER.getNodeFactory().textNode("0x1"))).isEqualTo("log is not a JSON object");
        assertThat(refusal(null)).isEqualTo("log is not a JSON object");
        ObjectNode noTopics = json();
        noTopics.remove("topics");
        assertThat(refusal(noTopics)).isEqualTo("log has no topics array");
        assertThat(refusal(json().put("topics", "0xd543"))).isEqualTo("log has no topics array");
        ObjectNode badTopic = json();
        badTopic.putArray("topics").add("0xd543").add(7);
        assertThat(refusal(badTopic)).isEqualTo("topic is not 0x-prefixed hex");
        for (String field : List.of("address", "data", "blockNumber", "blockHash", "transactionHash", "logIndex")) {
            ObjectNode missing = json();
            missing.remove(field);
            assertThat(refusal(missing)).isEqualTo("log field " + field + " is missing");
            assertThat(refusal(json().putNull(field))).isEqualTo("log field " + field + " is missing");
            assertThat(refusal(json().put(field, 26))).isEqualTo("log field " + field + " is missing");
            assertThat(refusal(json().put(field, "1a"))).isEqualTo(field + " is not 0x-prefixed hex");
        }
    }

    @Test
    void shouldTakeEveryHexDigitAndNothingNextToThem() {
        assertThat(ChainLog.hex("0x0123456789abcdefABCDEF", "data")).isEqualTo("0x0123456789abcdefabcdef");
        // the characters either side of 0-9, a-f and A-F
        for (String bad : List.of("/", ":", "`", "g", "@", "G", " ")) {
            assertThatThrownBy(() -> ChainLog.hex("0x0" + bad, "data")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("data is not 0x-prefixed hex");
        }
        assertThatThrownBy(() -> ChainLog.hex(null, "data")).hasMessage("data is not 0x-prefixed hex");
        assertThatThrownBy(() -> ChainLog.hex("0X1", "data")).hasMessage("data is not 0x-prefixed hex");
    }

    @Test
    void shouldReadAQuantityOfOneToSixteenHexDigits() {
        assertThat(ChainLog.quantity("0x0", "n")).isZero();
        assertThat(ChainLog.quantity("0x7fffffffffffffff", "n")).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> ChainLog.quantity("0x", "n")).hasMessage("n is not a 64-bit quantity");
        assertThatThrownBy(() -> ChainLog.quantity("0x10000000000000000", "n")).hasMessage("n is not a 64-bit quantity");
        assertThatThrownBy(() -> ChainLog.quantity("26", "n")).hasMessage("n is not 0x-prefixed hex");
        assertThat(ChainLog.quantity(26)).isEqualTo("0x1a");
        assertThat(ChainLog.quantity(0)).isEqualTo("0x0");
    }

    @Test
    void shouldReadABlockTimeUpToTheLastInstantJavaNames() {
        assertThat(ChainLog.epochSecond("0x0", "timestamp")).isEqualTo(Instant.EPOCH);
        assertThat(ChainLog.epochSecond("0x692eb8a0", "timestamp")).isEqualTo(Instant.parse("2025-12-02T10:00:00Z"));
        assertThat(ChainLog.epochSecond(ChainLog.quantity(Instant.MAX.getEpochSecond()), "timestamp").getEpochSecond())
                .isEqualTo(Instant.MAX.getEpochSecond());
        String past = ChainLog.quantity(Instant.MAX.getEpochSecond() + 1);
        assertThatThrownBy(() -> ChainLog.epochSecond(past, "timestamp"))
                .hasMessage("timestamp " + past + " is not a time in seconds");
        // 2^64 - 1 seconds reads as -1 in a long: no time either
        assertThatThrownBy(() -> ChainLog.epochSecond("0xffffffffffffffff", "timestamp"))
                .hasMessage("timestamp 0xffffffffffffffff is not a time in seconds");
    }

    @Test
    void shouldKeepItsOwnCopyOfTheTopics() {
        List<String> topics = new java.util.ArrayList<>(List.of("0x01"));
        ChainLog log = new ChainLog("0x01", topics, "0x", 1, "0x02", "0x03", 0, false);
        topics.add("0x04");
        assertThat(log.topics()).containsExactly("0x01");
    }
}
