package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.crypto.StructuredDataEncoder;
import org.web3j.utils.Numeric;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.HashMap;

/**
 * The EIP-712 hash of a CLOB V2 order computed by web3j's {@link StructuredDataEncoder} from the typed-data JSON
 * (the form wallets sign), and the signer recovered with web3j's {@link Sign}: an implementation other than our
 * {@link Eip712}, so the fake and the tests check our signing against someone else's reading of the standard.
 */
final class Web3jOrderDigest {
    private static final String[][] ORDER_FIELDS = {
            {"salt", "uint256"}, {"maker", "address"}, {"signer", "address"}, {"tokenId", "uint256"},
            {"makerAmount", "uint256"}, {"takerAmount", "uint256"}, {"side", "uint8"}, {"signatureType", "uint8"},
            {"timestamp", "uint256"}, {"metadata", "bytes32"}, {"builder", "bytes32"}};

    private Web3jOrderDigest() {
    }

    /**
     * The typed data of an order as posted (the {@code order} object of {@code POST /order}): side as a string
     * there, uint8 in the struct (BUY = 0, SELL = 1); {@code expiration} and {@code signature} are not signed.
     */
    static StructuredDataEncoder encoder(JsonNode order, OrderDomain domain, boolean negRisk) {
        ObjectNode typed = Json.object();
        ObjectNode types = typed.putObject("types");
        ArrayNode domainType = types.putArray("EIP712Domain");
        for (String[] f : new String[][]{{"name", "string"}, {"version", "string"}, {"chainId", "uint256"},
                {"verifyingContract", "address"}}) {
            domainType.addObject().put("name", f[0]).put("type", f[1]);
        }
        ArrayNode orderType = types.putArray("Order");
        for (String[] f : ORDER_FIELDS) {
            orderType.addObject().put("name", f[0]).put("type", f[1]);
        }
        typed.put("primaryType", "Order");
        typed.putObject("domain").put("name", OrderDomain.NAME).put("version", domain.version())
                .put("chainId", domain.chainId())
                // chosen here, not by OrderDomain.verifyingContract: a neg-risk market signed for the wrong exchange fails
                .put("verifyingContract", negRisk ? domain.negRiskExchange() : domain.exchange());
        ObjectNode message = typed.putObject("message");
        for (String[] f : ORDER_FIELDS) {
            JsonNode v = order.get(f[0]);
            if (v == null) {
                throw new IllegalArgumentException("posted order lacks " + f[0]);
            }
            String text = v.asText();
            if (f[0].equals("side")) {
                text = switch (text) {
                    case "BUY", "0" -> "0";
                    case "SELL", "1" -> "1";
                    default -> throw new IllegalArgumentException("side must be BUY or SELL, but was " + text);
                };
            }
            message.put(f[0], text);
        }
        try {
            return new StructuredDataEncoder(Json.write(typed));
        } catch (IOException e) {
            throw new IllegalArgumentException("typed data not readable by web3j: " + e.getMessage(), e);
        }
    }

    /** The order hash (the digest {@code keccak256(0x1901 || domain || struct)}), 0x-prefixed lower-case hex. */
    static String orderHash(JsonNode order, OrderDomain domain, boolean negRisk) {
        return Numeric.toHexString(digest(order, domain, negRisk));
    }

    static byte[] digest(JsonNode order, OrderDomain domain, boolean negRisk) {
        return encoder(order, domain, negRisk).hashStructuredData();
    }

    /** The struct hash alone (what the exchange's baseline test pins). */
    @SuppressWarnings("unchecked")
    static byte[] structHash(JsonNode order, OrderDomain domain) {
        StructuredDataEncoder encoder = encoder(order, domain, false);
        return encoder.hashMessage("Order", (HashMap<String, Object>) encoder.jsonMessageObject.getMessage());
    }

    /** The address (0x, lower case) that signed this digest, recovered by web3j. */
    static String recoverSigner(byte[] digest, String signatureHex) {
        byte[] sig = Numeric.hexStringToByteArray(signatureHex);
        if (sig.length != 65) {
            throw new IllegalArgumentException("signature must be 65 bytes, but was " + sig.length);
        }
        Sign.SignatureData data = new Sign.SignatureData(sig[64], Arrays.copyOfRange(sig, 0, 32),
                Arrays.copyOfRange(sig, 32, 64));
        try {
            BigInteger key = Sign.signedMessageHashToKey(digest, data);
            return "0x" + Keys.getAddress(key);
        } catch (SignatureException e) {
            throw new IllegalArgumentException("signature cannot be recovered: " + e.getMessage(), e);
        }
    }
}
