package io.copytrader.config;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads one setting by its property key and validates it eagerly. Messages name the environment variable users
 * know (and the key), the value, and the allowed range; secret values are never echoed.
 */
final class Setting {
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9]+)?]?");
    private static final BigDecimal MS_PER_MINUTE = new BigDecimal("60000");
    /** Decimals finer than this are no setting (and a tiny exponent makes a number no computation can hold). */
    static final int MAX_DECIMAL_PLACES = 18;
    /** The longest value a message shows whole; a longer one is shown by its first {@link #SHOWN_WHEN_LONG}. */
    static final int MAX_SHOWN = 100;
    static final int SHOWN_WHEN_LONG = 40;

    private final Function<String, String> lookup;
    private final Function<String, String> environment;

    /**
     * @param lookup      resolves a property key; null when not set
     * @param environment the process environment: a variable set to an empty value is an error, not the default
     */
    Setting(Function<String, String> lookup, Function<String, String> environment) {
        this.lookup = lookup;
        this.environment = environment;
    }

    /** Over the process environment. */
    Setting(Function<String, String> lookup) {
        this(lookup, System::getenv);
    }

    /**
     * A value as it can be shown on one line and read for what it is: control characters, invisible ones (zero-width
     * spaces, byte order marks), spaces other than the plain one, and digits other than 0-9 escaped; a value longer
     * than {@value #MAX_SHOWN} characters shown by its start and its length.
     */
    static String printable(String raw) {
        int length = raw.codePointCount(0, raw.length());
        String shown = length <= MAX_SHOWN ? raw : raw.substring(0, raw.offsetByCodePoints(0, SHOWN_WHEN_LONG));
        StringBuilder b = new StringBuilder();
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || (c != ' ' && (Character.isSpaceChar(c) || Character.isWhitespace(c)))
                    || (c > 0x7f && Character.isDigit(c))) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return length <= MAX_SHOWN ? b.toString() : b + "... (" + length + " characters)";
    }

    /**
     * The text of a number, refused unless written in ASCII: Java reads other scripts' digits too, so 1, an
     * Arabic-Indic zero (which looks like a dot) and 5 would be read as 105.
     */
    private static String asciiNumber(String raw) {
        if (!raw.chars().allMatch(c -> c < 0x80)) {
            throw new NumberFormatException("digits other than 0-9");
        }
        return raw;
    }

    private static String name(String key, String env) {
        return env == null ? key : env + " (" + key + ")";
    }

    /**
     * The trimmed value, or {@code fallback} when not set. A value set but empty (in the environment, or a property
     * with a non-empty default) is refused: an empty COPY_RATIO is a mistake, not a request for the default.
     */
    String text(String key, String env, String fallback) {
        String v = raw(key, env);
        String e = env == null ? null : environment.apply(env);
        if ((e != null && e.isBlank()) || (v != null && v.isBlank() && !fallback.isEmpty())) {
            throw new InvalidSettingException(name(key, env) + " must not be empty, but was ''"
                    + (fallback.isEmpty() ? "; unset it to leave it out" : "; unset it for the default " + fallback));
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /**
     * The value as the lookup gives it, untrimmed; null when not set. A value the lookup cannot read (Camel: a stray
     * {{ or }}, a placeholder naming nothing) is refused naming the setting, not taken for "not set".
     */
    String raw(String key, String env) {
        try {
            return lookup.apply(key);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(name(key, env) + " could not be read (a {{ or }} out of place, or a"
                    + " placeholder naming nothing?): " + withoutUserInfo(String.valueOf(e.getMessage())));
        }
    }

    /** A duration given in (possibly fractional) minutes, in (0, maxMinutes] and at least 1 ms once converted. */
    Duration minutes(String key, String env, String fallback, BigDecimal maxMinutes) {
        BigDecimal value = decimal(key, env, fallback, BigDecimal.ZERO, false, maxMinutes, true);
        BigDecimal ms = value.multiply(MS_PER_MINUTE);
        if (ms.compareTo(BigDecimal.ONE) < 0) {
            throw new InvalidSettingException(name(key, env) + " must be at least 1 ms (0.0000167 minutes) and at most "
                    + maxMinutes.toPlainString() + " minutes, but was " + printable(text(key, env, fallback)));
        }
        return Duration.ofMillis(ms.longValue());
    }

    /** An http:// or https:// URL with a host (and, if given, a port in 1-65535); "" when optional and not set. */
    String httpUrl(String key, String env, boolean optional) {
        String raw = text(key, env, "");
        if (raw.isEmpty() && optional) {
            return raw;
        }
        String allowed = " must be an http:// or https:// URL with a host (and a port in 1-65535), e.g. http://127.0.0.1:8090, but was '";
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(name(key, env) + allowed + withoutUserInfo(raw) + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getHost().isBlank()
                || uri.getUserInfo() != null || uri.getPort() == 0 || uri.getPort() > 65535
                || (uri.getPort() < 0 && uri.getRawAuthority() != null && uri.getRawAuthority().endsWith(":"))) {
            throw new InvalidSettingException(name(key, env) + allowed + withoutUserInfo(raw) + "'");
        }
        return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    }

    /**
     * A refused URL as it can be shown: a user and password before the host (refused too) replaced by ***, up to the
     * last @ (a password may hold / ? # or @, and a URL without its scheme has no // before it), and the value of a
     * password= parameter.
     */
    static String withoutUserInfo(String raw) {
        String shown = raw.replaceAll("(?i)password=[^&;]*", "password=****"); // first: such a password may hold @
        int at = shown.lastIndexOf('@');
        if (at >= 0) {
            int slashes = shown.indexOf("//");
            int from = slashes >= 0 && slashes < at ? slashes + 2 : 0;
            shown = shown.substring(0, from) + "***" + shown.substring(at);
        }
        return printable(shown);
    }

    /** "memory", jdbc:sqlite:FILE or jdbc:postgresql://HOST[:PORT]/DB (whether it opens is checked at startup). */
    String storeUrl(String key, String env, String fallback) {
        String raw = text(key, env, fallback);
        String lower = raw.toLowerCase(Locale.ROOT);
        boolean ok = lower.equals("memory")
                || (lower.startsWith("jdbc:sqlite:") && raw.length() > "jdbc:sqlite:".length()
                    && !lower.contains(":memory:") && !lower.contains("mode=memory"))
                || lower.matches("jdbc:postgresql://[^/?#@\\s]+/[^?#\\s]+(\\?.*)?");
        if (!ok) {
            // a user and password before the host are refused (STORE_USER and STORE_PASSWORD hold them) and not shown
            throw new InvalidSettingException(name(key, env) + " must be memory, jdbc:sqlite:FILE or "
                    + "jdbc:postgresql://HOST[:PORT]/DATABASE (the user and password in STORE_USER and STORE_PASSWORD),"
                    + " but was '" + withoutUserInfo(raw) + "'");
        }
        return raw;
    }

    /** A TCP port to listen on: 1-65535, or 0 for any free port. */
    int port(String key, String env, String fallback) {
        String raw = text(key, env, fallback);
        long value;
        try {
            value = Long.parseLong(asciiNumber(raw));
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0 || value > 65535) {
            throw new InvalidSettingException(name(key, env) + " must be a port in 1-65535 (0 for any free port), but was '"
                    + printable(raw) + "'");
        }
        return (int) value;
    }

    /** A host name or an IP address to bind to (no DNS lookup). */
    String host(String key, String env, String fallback) {
        String raw = text(key, env, fallback);
        boolean ok = HOST_NAME.matcher(raw).matches();
        if (!ok && IPV6.matcher(raw).matches()) {
            try {
                InetAddress.getByName(raw.startsWith("[") ? raw : "[" + raw + "]"); // a literal: parsed, not looked up
                ok = true;
            } catch (UnknownHostException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new InvalidSettingException(name(key, env) + " must be a host name or an IP address, e.g. 127.0.0.1, but was '"
                    + printable(raw) + "'");
        }
        return raw;
    }

    BigDecimal decimal(String key, String env, String fallback, BigDecimal min, boolean minInclusive,
                       BigDecimal max, boolean maxInclusive) {
        String raw = text(key, env, fallback);
        String range = (minInclusive ? "[" : "(") + min.toPlainString() + ", " + max.toPlainString()
                + (maxInclusive ? "]" : ")");
        BigDecimal value;
        try {
            value = new BigDecimal(asciiNumber(raw));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name(key, env) + " must be a number in " + range + ", but was '" + printable(raw) + "'");
        }
        if (value.scale() > MAX_DECIMAL_PLACES) {
            // 1e-999999999 is in (0, 1] but no number to compute with: 1 + it overflows, printing it runs out of memory
            throw new InvalidSettingException(name(key, env) + " must be a number in " + range + " with at most "
                    + MAX_DECIMAL_PLACES + " decimal places, but was '" + printable(raw) + "'");
        }
        int lo = value.compareTo(min);
        int hi = value.compareTo(max);
        if (lo < 0 || (lo == 0 && !minInclusive) || hi > 0 || (hi == 0 && !maxInclusive)) {
            throw new InvalidSettingException(name(key, env) + " must be in " + range + ", but was " + printable(raw));
        }
        return value;
    }

    long integer(String key, String env, String fallback, long min, long max) {
        String raw = text(key, env, fallback);
        long value;
        try {
            value = Long.parseLong(asciiNumber(raw));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name(key, env) + " must be a whole number in [" + min + ", " + max
                    + "], but was '" + printable(raw) + "'");
        }
        if (value < min || value > max) {
            throw new InvalidSettingException(name(key, env) + " must be in [" + min + ", " + max + "], but was "
                    + printable(raw));
        }
        return value;
    }

    boolean bool(String key, String env, String fallback) {
        String raw = text(key, env, fallback);
        if ("true".equalsIgnoreCase(raw) || "false".equalsIgnoreCase(raw)) {
            return Boolean.parseBoolean(raw);
        }
        throw new InvalidSettingException(name(key, env) + " must be true or false, but was '" + printable(raw) + "'");
    }

    String oneOf(String key, String env, String fallback, String... allowed) {
        String raw = text(key, env, fallback);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(raw)) {
                return a;
            }
        }
        throw new InvalidSettingException(name(key, env) + " must be one of " + String.join(", ", allowed)
                + ", but was '" + printable(raw) + "'");
    }
}
