package io.copytrader.domain;

/** Shared validation for the typed identifiers: non-blank, printable, bounded length. */
final class Ids {
    /** The longest identifier accepted. */
    static final int MAX_LENGTH = 200;

    private Ids() {
    }

    static String require(String kind, String value) {
        if (!safe(value)) {
            throw new IllegalArgumentException(kind + " must be 1 to " + MAX_LENGTH
                    + " printable characters without spaces, but was "
                    + (value == null ? "null" : "'" + abbreviate(value) + "'"));
        }
        return value;
    }

    /**
     * 1 to {@link #MAX_LENGTH} characters, each printable ASCII other than the space (0x21-0x7E). A loop rather than
     * a regular expression: several identifiers are built per copied trade.
     */
    static boolean safe(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
