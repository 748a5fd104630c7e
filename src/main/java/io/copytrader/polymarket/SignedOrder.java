package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.Side;

import java.math.BigInteger;

/**
 * A CLOB V2 order (contract 2.2 and 2.4): the 11 signed fields, the signature, and the order hash, which is the
 * EIP-712 digest and the venue's order id.
 *
 * <p>Signed struct: {@code Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,
 * uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)}.
 * {@code expiration} is sent in the JSON but not signed.
 */
public record SignedOrder(long salt, String maker, String signer, BigInteger tokenId, long makerAmount,
                          long takerAmount, Side side, SignatureType signatureType, long timestampMs,
                          String metadata, String builder, String hash, String signature) {
    public static final String TYPE = "Order(uint256 salt,address maker,address signer,uint256 tokenId,"
            + "uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,"
            + "bytes32 metadata,bytes32 builder)";
    public static final String ZERO_BYTES32 = "0x" + "0".repeat(64);

    /** The struct hash of the signed fields (everything but hash and signature). */
    static byte[] structHash(long salt, String maker, String signer, BigInteger tokenId, long makerAmount,
                             long takerAmount, Side side, SignatureType signatureType, long timestampMs,
                             String metadata, String builder) {
        return new Eip712.Struct(TYPE)
                .uint(salt).address(maker).address(signer).uint(tokenId).uint(makerAmount).uint(takerAmount)
                .uint(side == Side.BUY ? 0 : 1).uint(signatureType.code()).uint(timestampMs)
                .bytes32(metadata).bytes32(builder).hash();
    }

    /** Hashes and signs an order with metadata = builder = zero. */
    static SignedOrder sign(PolymarketCredentials creds, byte[] domainSeparator, long salt, String maker,
                            BigInteger tokenId, OrderAmounts amounts, Side side, SignatureType type, long timestampMs) {
        String signer = creds.signerAddress();
        byte[] digest = Eip712.digest(domainSeparator, structHash(salt, maker, signer, tokenId, amounts.makerAmount(),
                amounts.takerAmount(), side, type, timestampMs, ZERO_BYTES32, ZERO_BYTES32));
        return new SignedOrder(salt, maker, signer, tokenId, amounts.makerAmount(), amounts.takerAmount(), side, type,
                timestampMs, ZERO_BYTES32, ZERO_BYTES32, Eip712.hex(digest), Eip712.sign(digest, creds.signerKey()));
    }

    /** Recomputes the digest from the fields, for verification. */
    byte[] digest(byte[] domainSeparator) {
        return Eip712.digest(domainSeparator, structHash(salt, maker, signer, tokenId, makerAmount, takerAmount, side,
                signatureType, timestampMs, metadata, builder));
    }

    /** The {@code order} object of the POST /order body: salt as a JSON number, amounts as integer strings. */
    ObjectNode toJson(ObjectNode node) {
        node.put("salt", salt);
        node.put("maker", maker);
        node.put("signer", signer);
        node.put("tokenId", tokenId.toString());
        node.put("makerAmount", Long.toString(makerAmount));
        node.put("takerAmount", Long.toString(takerAmount));
        node.put("side", side.name());
        node.put("signatureType", signatureType.code());
        node.put("timestamp", Long.toString(timestampMs));
        node.put("expiration", "0");
        node.put("metadata", metadata);
        node.put("builder", builder);
        node.put("signature", signature);
        return node;
    }
}
