package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.Side;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our EIP-712 order encoder against two references: Polymarket's own V2 struct-hash baseline (venues/polymarket.md,
 * end of 2.8: the exchange's {@code test_orderStructHash_baseline}, "must never drift"), and web3j's
 * {@code StructuredDataEncoder} over random orders.
 */
class OrderSigningCrossCheckTest {
    static final String BASELINE_STRUCT_HASH = "0x08b5c2f163715a48f38ae24e8d1b9ab97bb3d457245b854c1b6cb2a69142742a";

    /** The exchange's baseline order: metadata bytes32(0xDEADBEEF) and builder bytes32(0xFEEDFACE), as uint256 words. */
    static ObjectNode baselineOrder() {
        return Json.object().put("salt", 12345).put("maker", "0x1234567890123456789012345678901234567890")
                .put("signer", "0x2345678901234567890123456789012345678901")
                .put("tokenId", new BigInteger("0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20", 16).toString())
                .put("makerAmount", "1000000").put("takerAmount", "500000").put("side", "BUY").put("signatureType", 0)
                .put("timestamp", "1700000000").put("metadata", word("deadbeef")).put("builder", word("feedface"));
    }

    static String word(String hex) {
        return "0x" + "0".repeat(64 - hex.length()) + hex;
    }

    @Test
    void shouldMatchTheExchangesV2StructHashBaselineWithOurEncoder() {
        JsonNode o = baselineOrder();
        byte[] ours = SignedOrder.structHash(12345, o.get("maker").asText(), o.get("signer").asText(),
                new BigInteger(o.get("tokenId").asText()), 1_000_000, 500_000, Side.BUY, SignatureType.EOA,
                1_700_000_000L, word("deadbeef"), word("feedface"));
        assertThat(Eip712.hex(ours)).isEqualTo(BASELINE_STRUCT_HASH);
    }

    @Test
    void shouldMatchTheExchangesV2StructHashBaselineWithWeb3j() {
        assertThat(Eip712.hex(Web3jOrderDigest.structHash(baselineOrder(), OrderDomain.POLYGON_V2)))
                .isEqualTo(BASELINE_STRUCT_HASH);
    }

    /**
     * The exchanges an order is signed for on Polygon, as Polymarket publishes them (venues/polymarket.md, "Polygon 137
     * addresses", from its V2 clients' config): a neg-risk market's order is signed for the neg-risk exchange, any
     * other for the CTF exchange. An order signed for the other one is refused as badly signed.
     */
    @Test
    void shouldSignForThePublishedExchangeOfEachKindOfMarket() {
        assertThat(OrderDomain.POLYGON_V2.verifyingContract(false))
                .isEqualToIgnoringCase("0xE111180000d2663C0091e4f400237545B87B996B");
        assertThat(OrderDomain.POLYGON_V2.verifyingContract(true))
                .isEqualToIgnoringCase("0xe2222d279d744050d28e00520010520000310F59");
        assertThat(OrderDomain.POLYGON_V2.chainId()).isEqualTo(137);
        assertThat(OrderDomain.POLYGON_V2.version()).isEqualTo("2");
    }

    /** Random orders (seeded: a failure replays), signed by us, hashed and recovered by web3j: the same hash. */
    @Test
    void shouldSignEveryRandomOrderToTheHashAndSignerWeb3jComputes() {
        PolymarketCredentials creds = PolymarketCredentials.of(KnownAnswerTest.TEST_KEY, null, null, null);
        Random random = new Random(20261202);
        for (int i = 0; i < 200; i++) {
            boolean negRisk = random.nextBoolean();
            Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            SignatureType type = SignatureType.values()[random.nextInt(SignatureType.values().length)];
            long salt = random.nextLong() >>> 11; // a safe JSON integer, as the adapter's salts are
            String maker = "0x" + String.format("%040x", new BigInteger(160, random));
            BigInteger tokenId = new BigInteger(1 + random.nextInt(256), random);
            OrderAmounts amounts = new OrderAmounts(java.math.BigDecimal.ONE, 1 + (random.nextLong() >>> 12), 1 + (random.nextLong() >>> 12));
            long timestamp = 1_600_000_000_000L + (random.nextLong() >>> 24);
            SignedOrder order = SignedOrder.sign(creds, OrderDomain.POLYGON_V2.separator(negRisk), salt, maker, tokenId,
                    amounts, side, type, timestamp);
            JsonNode posted = order.toJson(Json.object());
            byte[] digest = Web3jOrderDigest.digest(posted, OrderDomain.POLYGON_V2, negRisk);
            assertThat(Eip712.hex(digest)).as("order %d: %s", i, posted).isEqualTo(order.hash());
            assertThat(Web3jOrderDigest.recoverSigner(digest, order.signature())).as("order %d", i)
                    .isEqualToIgnoringCase(KnownAnswerTest.TEST_ADDRESS);
        }
    }
}
