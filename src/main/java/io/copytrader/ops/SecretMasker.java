package io.copytrader.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.CamelContextHelper;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence for secrets in text: knows the values of the secrets the process was given (environment
 * variables and system properties with secret-like names, and Camel properties Camel considers sensitive) and
 * replaces each occurrence with {@code ****}. The logback converters in this package run every log line through it.
 */
public final class SecretMasker {
    public static final String MASK = "****";
    /** Shorter values are not secrets worth masking (and masking them would garble ordinary text). */
    static final int MIN_LENGTH = 6;
    private static final List<String> NAME_HINTS = List.of("SECRET", "PASSWORD", "PASSPHRASE", "PRIVATE_KEY",
            "PRIVATEKEY", "API_KEY", "APIKEY", "TOKEN", "CREDENTIAL");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final Pattern ESCAPE = Pattern.compile("%[0-9A-F]{2}");
    /** password=VALUE in a query or a JDBC URL's parameters, or //user:VALUE@ (percent-encoded if need be). */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)password=([^&;\\s]+)|//[^/?#@:\\s]*:([^/?#@\\s]+)@");
    /** Each form of each secret; in no order: {@link #mask} hides every occurrence of each. */
    private static final CopyOnWriteArrayList<String> VALUES = new CopyOnWriteArrayList<>();

    static {
        System.getenv().forEach(SecretMasker::registerIfSecretName);
        System.getProperties().forEach((k, v) -> registerIfSecretName(String.valueOf(k), String.valueOf(v)));
    }

    private SecretMasker() {
    }

    /** True for names such as POLY_API_SECRET, copytrader.polymarket.private-key, db.password. */
    public static boolean isSecretName(String name) {
        String n = name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
        return NAME_HINTS.stream().anyMatch(n::contains) || n.endsWith("_KEY") || n.endsWith("PASSPHRASE");
    }

    /**
     * Masks the value from now on, as written and as it reads URL-encoded (a query, a form body, a URL's user info)
     * and JSON-escaped; a hex key also without its 0x and in either case. Values shorter than {@link #MIN_LENGTH}
     * are left alone.
     */
    public static void register(String value) {
        if (value == null) {
            return;
        }
        String v = value.trim();
        if (v.startsWith("0x") || v.startsWith("0X")) {
            register(v.substring(2)); // a hex key is masked with or without its prefix
        }
        if (v.length() < MIN_LENGTH) {
            return;
        }
        if (HEX.matcher(v).matches()) {
            // a hex key may be printed in either case (an address checksum, a library's toString)
            add(v.toLowerCase(Locale.ROOT));
            add(v.toUpperCase(Locale.ROOT));
        }
        add(v);
        String form = URLEncoder.encode(v, StandardCharsets.UTF_8); // a space as +, escapes in upper case
        for (String encoded : List.of(form, form.replace("+", "%20"))) {
            add(encoded);
            add(lowerCaseEscapes(encoded));
        }
        String json = v.replace("\\", "\\\\").replace("\"", "\\\"");
        add(json);
        add(json.replace("/", "\\/")); // some writers escape the slash too
    }

    private static String lowerCaseEscapes(String encoded) {
        return ESCAPE.matcher(encoded).replaceAll(m -> m.group().toLowerCase(Locale.ROOT));
    }

    private static void add(String v) {
        VALUES.addIfAbsent(v);
    }

    /**
     * Registers the value of every Camel property (property files, initial and override properties) that
     * Camel or we consider sensitive, resolving placeholders such as {{env:POLY_API_SECRET:}}; and of every other
     * property, the passwords a URL in it holds (STORE_URL's password=, a user:password@ before a host).
     */
    public static void registerSensitiveProperties(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Set<String> keys = new TreeSet<>(pc.loadProperties().stringPropertyNames()); // files, initial, overrides
        for (String key : keys) {
            boolean sensitive = isSecretName(key) || CamelContextHelper.containsSensitive(context, key);
            try {
                pc.resolveProperty(key).ifPresent(sensitive ? SecretMasker::register : SecretMasker::registerUrlPasswords);
            } catch (RuntimeException e) {
                // unresolvable placeholder: nothing to mask
            }
        }
    }

    /** Registers the passwords in a text's URLs: a password= parameter's value, and what follows user: before @. */
    static void registerUrlPasswords(String text) {
        Matcher m = URL_PASSWORD.matcher(text);
        while (m.find()) {
            String written = m.group(m.group(1) != null ? 1 : 2);
            register(written);
            try {
                register(URLDecoder.decode(written, StandardCharsets.UTF_8)); // and its URL-encoded forms
            } catch (IllegalArgumentException e) {
                // not percent-encoded after all: masked as written
            }
        }
    }

    /**
     * The text with every known secret value replaced by {@link #MASK}: every character of an occurrence of any of
     * them is hidden, each run of hidden characters shown as one mask (so secrets that overlap leave nothing of either).
     */
    public static String mask(String text) {
        if (text == null || VALUES.isEmpty()) {
            return text;
        }
        boolean[] hidden = null;
        for (String v : VALUES) {
            for (int i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + 1)) {
                if (hidden == null) {
                    hidden = new boolean[text.length()];
                }
                Arrays.fill(hidden, i, i + v.length(), true);
            }
        }
        if (hidden == null) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (!hidden[i]) {
                out.append(text.charAt(i));
            } else if (i == 0 || !hidden[i - 1]) {
                out.append(MASK);
            }
        }
        return out.toString();
    }

    private static void registerIfSecretName(String name, String value) {
        if (isSecretName(name)) {
            register(value);
        }
    }

    /** For tests: forget the values registered so far (the environment's are registered again). */
    static void reset() {
        VALUES.clear();
        System.getenv().forEach(SecretMasker::registerIfSecretName);
    }

}
