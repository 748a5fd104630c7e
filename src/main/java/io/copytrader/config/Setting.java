package io.copytrader.config;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Reads one setting by its property key and validates it eagerly. Messages name the environment variable users
 * know (and the key), the value, and the allowed range; secret values are never echoed.
 */
final class Setting {
    private final Function<String, String> lookup;

    Setting(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    private static String name(String key, String env) {
        return env == null ? key : env + " (" + key + ")";
    }

    String text(String key, String env, String fallback) {
        String v = lookup.apply(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    BigDecimal decimal(String key, String env, String fallback, BigDecimal min, boolean minInclusive,
                       BigDecimal max, boolean maxInclusive) {
        String raw = text(key, env, fallback);
        String range = (minInclusive ? "[" : "(") + min.toPlainString() + ", " + max.toPlainString()
                + (maxInclusive ? "]" : ")");
        BigDecimal value;
        try {
            value = new BigDecimal(raw);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name(key, env) + " must be a number in " + range + ", but was '" + raw + "'");
        }
        int lo = value.compareTo(min);
        int hi = value.compareTo(max);
        if (lo < 0 || (lo == 0 && !minInclusive) || hi > 0 || (hi == 0 && !maxInclusive)) {
            throw new InvalidSettingException(name(key, env) + " must be in " + range + ", but was " + raw);
        }
        return value;
    }

    long integer(String key, String env, String fallback, long min, long max) {
        String raw = text(key, env, fallback);
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name(key, env) + " must be a whole number in [" + min + ", " + max
                    + "], but was '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new InvalidSettingException(name(key, env) + " must be in [" + min + ", " + max + "], but was " + raw);
        }
        return value;
    }

    boolean bool(String key, String env, String fallback) {
        String raw = text(key, env, fallback);
        if ("true".equalsIgnoreCase(raw) || "false".equalsIgnoreCase(raw)) {
            return Boolean.parseBoolean(raw);
        }
        throw new InvalidSettingException(name(key, env) + " must be true or false, but was '" + raw + "'");
    }

    String oneOf(String key, String env, String fallback, String... allowed) {
        String raw = text(key, env, fallback);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(raw)) {
                return a;
            }
        }
        throw new InvalidSettingException(name(key, env) + " must be one of " + String.join(", ", allowed)
                + ", but was '" + raw + "'");
    }
}
