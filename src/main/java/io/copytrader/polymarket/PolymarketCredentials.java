package io.copytrader.polymarket;

import org.web3j.crypto.ECKeyPair;
import org.web3j.utils.Numeric;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The signer key and the L2 API credentials. Nothing here is ever printed: {@link #toString()} masks every value,
 * and no accessor is used to build a log line, exception message or metric tag.
 *
 * <p>The signer address is public (it is sent as {@code POLY_ADDRESS}); it is the only value shown.
 */
public final class PolymarketCredentials {
    private final ECKeyPair signerKey;
    private final String signerAddress;
    private final String apiKey;
    private final String apiSecret;
    private final String passphrase;

    private PolymarketCredentials(ECKeyPair signerKey, String apiKey, String apiSecret, String passphrase) {
        this.signerKey = Objects.requireNonNull(signerKey, "signerKey");
        this.signerAddress = Eip712.addressOf(signerKey);
        this.apiKey = apiKey;
        this.apiSecret = apiSecret;
        this.passphrase = passphrase;
    }

    /**
     * @param privateKeyHex 64 hex digits, with or without 0x
     * @throws IllegalArgumentException naming POLY_PRIVATE_KEY, never echoing it
     */
    public static PolymarketCredentials of(String privateKeyHex, String apiKey, String apiSecret, String passphrase) {
        return new PolymarketCredentials(parseKey(privateKeyHex), blankToNull(apiKey), blankToNull(apiSecret),
                blankToNull(passphrase));
    }

    static ECKeyPair parseKey(String privateKeyHex) {
        String hex = privateKeyHex == null ? "" : Numeric.cleanHexPrefix(privateKeyHex.trim());
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("POLY_PRIVATE_KEY must be 64 hex digits (optionally 0x-prefixed), but was "
                    + hex.length() + " characters (value not shown)");
        }
        BigInteger key = new BigInteger(hex, 16);
        if (key.signum() == 0) {
            throw new IllegalArgumentException("POLY_PRIVATE_KEY must not be zero");
        }
        return ECKeyPair.create(key);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The same signer with API credentials (derived through L1). */
    public PolymarketCredentials withApiCredentials(String apiKey, String apiSecret, String passphrase) {
        return new PolymarketCredentials(signerKey, blankToNull(apiKey), blankToNull(apiSecret), blankToNull(passphrase));
    }

    public boolean hasApiCredentials() {
        return apiKey != null && apiSecret != null && passphrase != null;
    }

    /** The signer EOA, EIP-55 checksummed. Public. */
    public String signerAddress() {
        return signerAddress;
    }

    ECKeyPair signerKey() {
        return signerKey;
    }

    String apiKey() {
        return requireApi(apiKey);
    }

    String apiSecret() {
        return requireApi(apiSecret);
    }

    String passphrase() {
        return requireApi(passphrase);
    }

    private String requireApi(String value) {
        if (value == null) {
            throw new IllegalStateException("Polymarket API credentials are not set: configure POLY_API_KEY, "
                    + "POLY_API_SECRET and POLY_PASSPHRASE, or let the venue derive them through L1 at start");
        }
        return value;
    }

    /** The text with any of our secret values replaced by ***, for venue messages that might echo them. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : new String[]{apiKey, apiSecret, passphrase, signerKey.getPrivateKey().toString(16)}) {
            if (secret != null && secret.length() >= 4) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "PolymarketCredentials[signer=" + signerAddress + ", privateKey=***, apiKey=" + (apiKey == null ? "unset" : "***")
                + ", apiSecret=" + (apiSecret == null ? "unset" : "***") + ", passphrase="
                + (passphrase == null ? "unset" : "***") + "]";
    }
}
