package io.copytrader.polymarket;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Polymarket's two API auth levels (contract 2.3).
 *
 * <ul>
 *   <li>L1: an EIP-712 {@code ClobAuth} signature by the signer key, used only to create or derive API keys.</li>
 *   <li>L2: {@code base64url(HMAC-SHA256(base64url_decode(secret), timestamp + METHOD + path + body))}, padding
 *       kept; the path is without the query string; the body is the exact bytes sent, omitted when empty.</li>
 * </ul>
 */
public final class PolymarketAuth {
    static final String CLOB_AUTH_MESSAGE = "This message attests that I control the given wallet";

    public static final String POLY_ADDRESS = "POLY_ADDRESS";
    public static final String POLY_SIGNATURE = "POLY_SIGNATURE";
    public static final String POLY_TIMESTAMP = "POLY_TIMESTAMP";
    public static final String POLY_NONCE = "POLY_NONCE";
    public static final String POLY_API_KEY = "POLY_API_KEY";
    public static final String POLY_PASSPHRASE = "POLY_PASSPHRASE";

    private PolymarketAuth() {
    }

    /**
     * The L2 signature. The secret is read as base64url or standard base64; characters of neither alphabet are
     * dropped first and padding is optional, as with the official TS client.
     */
    public static String hmac(String secret, long timestampSeconds, String method, String requestPath, String body) {
        String message = timestampSeconds + method + requestPath + (body == null ? "" : body);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(decodeSecret(secret), "HmacSHA256"));
            byte[] sig = mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    static byte[] decodeSecret(String secret) {
        String cleaned = secret.replace('-', '+').replace('_', '/').replaceAll("[^A-Za-z0-9+/]", "");
        try {
            return Base64.getDecoder().decode(cleaned);
        } catch (IllegalArgumentException e) {
            // never the secret itself in the message
            throw new IllegalArgumentException("POLY_API_SECRET is not base64 (" + secret.length() + " characters)");
        }
    }

    /** The five L2 headers, in a stable order. */
    public static Map<String, String> l2Headers(PolymarketCredentials creds, long timestampSeconds, String method,
                                                String requestPath, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(POLY_ADDRESS, creds.signerAddress());
        headers.put(POLY_SIGNATURE, hmac(creds.apiSecret(), timestampSeconds, method, requestPath, body));
        headers.put(POLY_TIMESTAMP, Long.toString(timestampSeconds));
        headers.put(POLY_API_KEY, creds.apiKey());
        headers.put(POLY_PASSPHRASE, creds.passphrase());
        return headers;
    }

    /** EIP-712 digest of {@code ClobAuth(address address,string timestamp,uint256 nonce,string message)}. */
    public static byte[] clobAuthDigest(String address, long chainId, String timestamp, long nonce) {
        byte[] struct = new Eip712.Struct("ClobAuth(address address,string timestamp,uint256 nonce,string message)")
                .address(address).string(timestamp).uint(BigInteger.valueOf(nonce)).string(CLOB_AUTH_MESSAGE).hash();
        return Eip712.digest(Eip712.domain("ClobAuthDomain", "1", chainId), struct);
    }

    /** The L1 headers for {@code /auth/derive-api-key} and {@code /auth/api-key}. */
    public static Map<String, String> l1Headers(PolymarketCredentials creds, long chainId, long timestampSeconds,
                                                long nonce) {
        String timestamp = Long.toString(timestampSeconds);
        byte[] digest = clobAuthDigest(creds.signerAddress(), chainId, timestamp, nonce);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(POLY_ADDRESS, creds.signerAddress());
        headers.put(POLY_SIGNATURE, Eip712.sign(digest, creds.signerKey()));
        headers.put(POLY_TIMESTAMP, timestamp);
        headers.put(POLY_NONCE, Long.toString(nonce));
        return headers;
    }
}
