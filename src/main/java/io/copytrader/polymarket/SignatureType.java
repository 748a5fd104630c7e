package io.copytrader.polymarket;

/**
 * Who holds the funds (the order's maker) and how the exchange checks the signer (contract 2.4). All three sign
 * with the EOA key; the maker is the EOA for {@link #EOA} and the funder wallet for the others.
 * POLY_1271 (3, deposit wallets) is not supported.
 */
public enum SignatureType {
    EOA(0), POLY_PROXY(1), POLY_GNOSIS_SAFE(2);

    private final int code;

    SignatureType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException "POLY_SIGNATURE_TYPE must be 0, 1 or 2, but was 7" */
    public static SignatureType parse(String text) {
        String t = text == null ? "" : text.trim();
        for (SignatureType s : values()) {
            if (t.equals(Integer.toString(s.code)) || t.equalsIgnoreCase(s.name())) {
                return s;
            }
        }
        throw new IllegalArgumentException("POLY_SIGNATURE_TYPE must be 0, 1 or 2 (EOA, POLY_PROXY, POLY_GNOSIS_SAFE), "
                + "but was " + (t.length() <= 20 ? "'" + t + "'" : t.length() + " characters"));
    }
}
