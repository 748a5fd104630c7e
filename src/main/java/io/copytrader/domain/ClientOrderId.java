package io.copytrader.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Our id of an order. Derived deterministically from the source trade, so a re-poll, a retry, a replay or a
 * restart produces the same id and the venue (or our store) dedupes it instead of placing a second copy.
 */
public record ClientOrderId(String value) {
    public ClientOrderId {
        Ids.require("ClientOrderId", value);
    }

    /**
     * A digest never updated, copied for each id: {@code MessageDigest.getInstance} looks the algorithm up among the
     * security providers and builds it by reflection, twice per copied trade (5 % of a copy consumer's samples).
     */
    private static final MessageDigest SHA_256 = newSha256();

    /** ct- followed by the first 32 hex digits of SHA-256(trader '|' sourceTradeId). */
    public static ClientOrderId of(TraderId trader, SourceTradeId sourceTradeId) {
        MessageDigest sha;
        try {
            sha = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            sha = newSha256();
        }
        byte[] digest = sha.digest((trader.value() + "|" + sourceTradeId.value()).getBytes(StandardCharsets.UTF_8));
        return new ClientOrderId("ct-" + HexFormat.of().formatHex(digest, 0, 16));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
