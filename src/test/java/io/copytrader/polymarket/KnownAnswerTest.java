package io.copytrader.polymarket;

import io.copytrader.domain.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The known-answer vectors of venues/polymarket.md section 2.6, numbered as there. */
class KnownAnswerTest {
    /** The publicly known test key (hardhat account 0); never a real secret. */
    static final String TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String TEST_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    static final String ZERO_SECRET = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    @Test
    void shouldDeriveTheKnownAddressFromTheTestKey() {
        assertThat(PolymarketCredentials.of(TEST_KEY, null, null, null).signerAddress()).isEqualTo(TEST_ADDRESS);
    }

    // --- HMAC (vectors 1-3) ---

    @Test
    void shouldMatchHmacVector1WithSpacedJson() {
        assertThat(PolymarketAuth.hmac(ZERO_SECRET, 1000000, "test-sign", "/orders", "{\"hash\": \"0x123\"}"))
                .isEqualTo("ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=");
    }

    @Test
    void shouldReadUrlSafeStandardAndJunkFilledSecretsAlike() {
        String expected = "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=";
        String a = "A".repeat(40);
        // base64url "--_A" and standard "++/A" decode to the same bytes as each other (not zero bytes)
        assertThat(PolymarketAuth.hmac("--_" + a + "=", 1000000, "test-sign", "/orders", "{\"hash\": \"0x123\"}"))
                .isEqualTo(PolymarketAuth.hmac("++/" + a + "=", 1000000, "test-sign", "/orders", "{\"hash\": \"0x123\"}"));
        assertThat(PolymarketAuth.hmac("AAAAAAAAA^^AAAAAAAA<>AAAAA||AAAAAAAAAAAAAAAAAAAAA=", 1000000, "test-sign",
                "/orders", "{\"hash\": \"0x123\"}")).isEqualTo(expected);
    }

    @Test
    void shouldMatchHmacVector2WithCompactJson() {
        assertThat(PolymarketAuth.hmac(ZERO_SECRET, 1000000, "test-sign", "/orders", "{\"hash\":\"0x123\"}"))
                .isEqualTo("4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM=");
    }

    @Test
    void shouldMatchHmacVector3ForAnL2GetWithoutBody() {
        PolymarketCredentials creds = PolymarketCredentials.of(TEST_KEY,
                "00000000-0000-0000-0000-000000000000", ZERO_SECRET, "a".repeat(64));
        var headers = PolymarketAuth.l2Headers(creds, 1, "GET", "/", null);
        assertThat(headers).containsEntry("POLY_SIGNATURE", "eHaylCwqRSOa2LFD77Nt_SaTpbsxzN8eTEI3LryhEj4=")
                .containsEntry("POLY_TIMESTAMP", "1")
                .containsEntry("POLY_ADDRESS", TEST_ADDRESS)
                .containsEntry("POLY_API_KEY", "00000000-0000-0000-0000-000000000000")
                .containsEntry("POLY_PASSPHRASE", "a".repeat(64));
    }

    // --- L1 ClobAuth (vectors 4-5) ---

    @Test
    void shouldMatchClobAuthVector4OnAmoy() {
        byte[] digest = PolymarketAuth.clobAuthDigest(TEST_ADDRESS, 80002, "10000000", 23);
        assertThat(Eip712.hex(digest)).startsWith("0x8f442df8").endsWith("57920610");
        PolymarketCredentials creds = PolymarketCredentials.of(TEST_KEY, null, null, null);
        assertThat(PolymarketAuth.l1Headers(creds, 80002, 10000000, 23)).containsEntry("POLY_SIGNATURE",
                "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b")
                .containsEntry("POLY_NONCE", "23").containsEntry("POLY_TIMESTAMP", "10000000")
                .containsEntry("POLY_ADDRESS", TEST_ADDRESS);
    }

    @Test
    void shouldMatchClobAuthVector5OnPolygon() {
        byte[] digest = PolymarketAuth.clobAuthDigest(TEST_ADDRESS, 137, "100000", 0);
        assertThat(Eip712.hex(digest)).startsWith("0x49b2a228").endsWith("2b0e6a");
        assertThat(Eip712.sign(digest, PolymarketCredentials.parseKey(TEST_KEY))).isEqualTo(
                "0xfdfb5abf512e439ea61c8595c18e527e718bf16010acf57cef51d09e15893098275d3c6f73038f36ec0cd0ce55436fca14dc64b11611f4dce896e354207508cc1b");
    }

    // --- V1 orders (vectors 6-8): the EIP-712 machinery on a fixed struct ---

    static final String V1_TYPE = "Order(uint256 salt,address maker,address signer,address taker,uint256 tokenId,"
            + "uint256 makerAmount,uint256 takerAmount,uint256 expiration,uint256 nonce,uint256 feeRateBps,uint8 side,"
            + "uint8 signatureType)";

    static byte[] v1Digest(long chainId, String exchange, long salt, String maker, long tokenId, long makerAmount,
                           long takerAmount, long nonce, long feeRateBps) {
        byte[] struct = new Eip712.Struct(V1_TYPE).uint(salt).address(maker).address(maker)
                .address("0x" + "0".repeat(40)).uint(tokenId).uint(makerAmount).uint(takerAmount).uint(0)
                .uint(nonce).uint(feeRateBps).uint(0).uint(0).hash();
        return Eip712.digest(Eip712.domain(OrderDomain.NAME, "1", chainId, exchange), struct);
    }

    @ParameterizedTest(name = "vector {0}")
    @CsvSource({
            "6, 0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40, 0x02ca1d1aa31103804173ad1acd70066cb6c1258a4be6dada055111f9a7ea4e55, "
                    + "0x302cd9abd0b5fcaa202a344437ec0b6660da984e24ae9ad915a592a90facf5a51bb8a873cd8d270f070217fea1986531d5eec66f1162a81f66e026db653bf7ce1c",
            "7, 0xC5d563A36AE78145C45a50134d48A1215220f80a, 0xf15790d3edc4b5aed427b0b543a9206fcf4b1a13dfed016d33bfb313076263b8, "
                    + "0x1b3646ef347e5bd144c65bd3357ba19c12c12abaeedae733cf8579bc51a2752c0454c3bc6b236957e393637982c769b8dc0706c0f5c399983d933850afd1cbcd1c",
    })
    void shouldMatchV1OrderVectors6And7(int vector, String exchange, String hash, String signature) {
        byte[] digest = v1Digest(80002, exchange, 479249096354L, TEST_ADDRESS, 1234, 100000000, 50000000, 0, 100);
        assertThat(Eip712.hex(digest)).isEqualTo(hash);
        assertThat(Eip712.sign(digest, PolymarketCredentials.parseKey(TEST_KEY))).isEqualTo(signature);
        assertThat(Eip712.recoverAddress(digest, signature)).isEqualToIgnoringCase(TEST_ADDRESS);
    }

    @Test
    void shouldMatchV1OrderVector8() {
        byte[] digest = v1Digest(137, "0x" + "0".repeat(39) + "1", 1, "0x" + "1".repeat(40), 101, 1000000, 2000000, 2, 0);
        assertThat(Eip712.hex(digest)).isEqualTo("0xeb162c6cc7aa28ad096a7c40fb9556d41fa1730d71103ba7103589ae1f18d942");
    }

    // --- V2 ---

    @Test
    void shouldHashTheV2OrderTypeToTheDocumentedTypehash() {
        assertThat(Eip712.hex(Eip712.keccak(SignedOrder.TYPE.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589");
    }

    @Test
    void shouldSignAV2OrderSoThatTheSignerRecoversFromTheOrderHash() {
        PolymarketCredentials creds = PolymarketCredentials.of(TEST_KEY, null, null, null);
        byte[] domain = OrderDomain.POLYGON_V2.separator(false);
        OrderAmounts amounts = OrderAmounts.limit(Side.BUY, new BigDecimal("0.5"), new BigDecimal("100"), new BigDecimal("0.1"));
        SignedOrder order = SignedOrder.sign(creds, domain, 479249096354L, "0x" + "2".repeat(40),
                new BigInteger("1234"), amounts, Side.BUY, SignatureType.POLY_GNOSIS_SAFE, 1710000000000L);
        assertThat(order.hash()).isEqualTo(Eip712.hex(order.digest(domain)));
        assertThat(Eip712.recoverAddress(order.digest(domain), order.signature())).isEqualToIgnoringCase(TEST_ADDRESS);
        // the neg-risk exchange is a different domain, so a different order id
        assertThat(Eip712.hex(order.digest(OrderDomain.POLYGON_V2.separator(true)))).isNotEqualTo(order.hash());
    }

    // --- Amount rounding (py-clob-client-v2 test_builder.py) ---

    @ParameterizedTest(name = "{0} {2} @ {1} tick {3} -> maker {4} taker {5}")
    @CsvSource({
            "BUY, 0.5, 100, 0.1, 50000000, 100000000",
            "SELL, 0.5, 100, 0.1, 100000000, 50000000",
            "BUY, 0.56, 21.04, 0.01, 11782400, 21040000",
            "BUY, 0.056, 21.04, 0.001, 1178240, 21040000",
            "BUY, 0.0056, 21.04, 0.0001, 117824, 21040000",
            "BUY, 0.82, 20, 0.01, 16400000, 20000000",
            "SELL, 0.82, 20, 0.01, 20000000, 16400000",
            "BUY, 0.5, 21.04, 0.1, 10520000, 21040000",
            // sizes beyond 2 decimals are cut, prices beyond the tick's decimals rounded half-up
            "BUY, 0.564, 21.049, 0.01, 11782400, 21040000",
    })
    void shouldRoundLimitAmountsLikeTheOfficialBuilder(Side side, BigDecimal price, BigDecimal size, BigDecimal tick,
                                                       long maker, long taker) {
        OrderAmounts amounts = OrderAmounts.limit(side, price, size, tick);
        assertThat(amounts.makerAmount()).isEqualTo(maker);
        assertThat(amounts.takerAmount()).isEqualTo(taker);
    }

    @Test
    void shouldRoundAMarketableBuyToWholeCentsAndDivideForShares() {
        // 21.04 * 0.56 = 11.7824 USDC -> 11.78; 11.78 / 0.56 = 21.0357142.. -> 21.0357 (4 amount decimals)
        OrderAmounts amounts = OrderAmounts.marketable(Side.BUY, new BigDecimal("0.56"), new BigDecimal("21.04"),
                new BigDecimal("0.01"));
        assertThat(amounts.makerAmount()).isEqualTo(11780000);
        assertThat(amounts.takerAmount()).isEqualTo(21035700);
    }

    @Test
    void shouldRefuseAnUnknownTickSize() {
        assertThatThrownBy(() -> OrderAmounts.limit(Side.BUY, BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.02")))
                .hasMessageContaining("unsupported tick size 0.02");
    }
}
