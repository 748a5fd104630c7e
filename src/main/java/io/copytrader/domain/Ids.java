package io.copytrader.domain;

import java.util.regex.Pattern;

/** Shared validation for the typed identifiers: non-blank, printable, bounded length. */
final class Ids {
    private static final Pattern SAFE = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private Ids() {
    }

    static String require(String kind, String value) {
        if (value == null || !SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException(kind + " must be 1 to 200 printable characters without spaces, but was "
                    + (value == null ? "null" : "'" + abbreviate(value) + "'"));
        }
        return value;
    }

    static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
