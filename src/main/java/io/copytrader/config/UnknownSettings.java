package io.copytrader.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code copytrader.*} properties that nothing reads. Camel takes any key, so a misspelled one
 * ({@code copytrader.copy.ration = 0.5}) left its setting at the default without a word; the start-up check refuses
 * it, naming the key and the nearest key that is read, never its value (values may be secrets).
 *
 * <p>The keys that are read are not listed here: they are found by reading every setting through a {@link Survey}
 * (a lookup that notes each key asked for and answers "not set"), and by the {@code {{copytrader....}}} placeholders of
 * the properties' values and of the route files. Per-target keys ({@link TargetSettings#PREFIX}) hold a trader's name;
 * {@link TargetSettings} refuses those it does not read. Keys outside {@code copytrader.} (Camel's {@code camel.*},
 * other components') are not ours to judge.
 */
public final class UnknownSettings {
    public static final String NAMESPACE = "copytrader.";
    private static final String VARIABLE_PREFIX = "COPYTRADER_";
    /** The test suite's own variables (README, "Testing"): the database its PostgreSQL tests use. */
    private static final String TEST_VARIABLES = "COPYTRADER_TEST_";
    /** A key named by a placeholder: {{key}}, {{key:default}}, {{?key}}, {{!key}}, or Camel's properties:key. */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?:\\{\\{[?!]?|\\bproperties?:)(copytrader\\.[A-Za-z0-9_.-]*[A-Za-z0-9_-])");

    private UnknownSettings() {
    }

    /** A lookup that notes every key it is asked for and answers "not set" (null). */
    public static final class Survey implements Function<String, String> {
        private final Set<String> keys = new LinkedHashSet<>();

        @Override
        public String apply(String key) {
            keys.add(key);
            return null;
        }

        /** The keys asked for so far, in the order first asked. */
        public Set<String> keys() {
            return keys;
        }
    }

    /** A variable named by an environment placeholder: {{env:NAME}}, {{env:NAME:default}}. */
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Za-z_][A-Za-z0-9_]*)");
    /** A name as environment variables are written here: upper case, digits and underscores. */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** Whether {@code name} is written as the environment variables here are: upper case, digits and underscores. */
    public static boolean isVariableName(String name) {
        return VARIABLE_NAME.matcher(name).matches();
    }

    /** The environment variables that {@code {{env:NAME}}} placeholders in the text name. */
    public static Set<String> variablePlaceholders(String text) {
        return named(ENV_PLACEHOLDER, text);
    }

    /**
     * The refusal of every environment variable outside {@code COPYTRADER_} that nothing reads but that is a near
     * miss of one that is read ({@code MAX_POSITON_SIZE_USD} for {@code MAX_POSITION_SIZE_USD}): its setting would stay
     * at the default without a word, a position limit or a copy ratio among them. A variable far from every name read
     * is someone else's and left alone, as is a near miss set beside the name it is near. Null when there is none;
     * values are never part of it.
     *
     * @param environment the names of the environment's variables
     * @param read        the names of the variables something reads
     */
    public static String variableRefusal(Collection<String> environment, Set<String> read) {
        List<String> unknown = new ArrayList<>();
        for (String name : new TreeSet<>(environment)) {
            if (name.startsWith(VARIABLE_PREFIX) || read.contains(name) || !isVariableName(name)) {
                continue; // COPYTRADER_* are judged by refusal, as Camel's names for keys
            }
            String near = nearestVariable(name, read);
            // with the name meant set as well, this one is someone else's (QUEUE_URL beside our QUEUE_URI)
            if (near != null && !environment.contains(near)) {
                unknown.add(Setting.printable(name) + " (did you mean " + near + "?)");
            }
        }
        if (unknown.isEmpty()) {
            return null;
        }
        boolean one = unknown.size() == 1;
        return String.join(", ", unknown) + (one ? " is set in the environment, but no setting reads it"
                : " are set in the environment, but no setting reads them")
                + " (the setting meant would stay at its default): correct " + (one ? "its name" : "their names")
                + " or unset " + (one ? "it" : "them");
    }

    /**
     * The variable read nearest to {@code name} when it is a near miss of it: at most 2 edits, and at most one edit in
     * five letters (a 9-letter name one edit at most); names under 6 letters are too short to tell a slip from another
     * program's name, and are never near misses.
     */
    static String nearestVariable(String name, Set<String> read) {
        Map.Entry<String, Integer> best = closest(name, read);
        int length = best == null ? 0 : Math.min(name.length(), best.getKey().length());
        return best != null && length >= 6 && best.getValue() <= Math.min(2, length / 5) ? best.getKey() : null;
    }

    /** The candidate fewest edits from {@code name} (letter case aside), the first in order among equals, with its edits. */
    private static Map.Entry<String, Integer> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(candidates)) {
            int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? null : Map.entry(best, bestDistance);
    }

    /** The {@code copytrader.*} keys that placeholders in the text name. */
    public static Set<String> placeholders(String text) {
        return named(PLACEHOLDER, text);
    }

    /** The first group of each match of {@code placeholder} in the text, in order, each once. */
    private static Set<String> named(Pattern placeholder, String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = placeholder.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * The refusal of every {@code copytrader.*} key of {@code defined} that is not read, as one line naming each with
     * the nearest read key when one is close; null when every key is read. Values are never part of it.
     *
     * @param defined the keys the properties set
     * @param read    the keys read (per-target keys among them stand for every target's)
     */
    public static String refusal(Collection<String> defined, Set<String> read) {
        return refusal(defined, Set.of(), Set.of(), read);
    }

    /**
     * The refusal of every {@code copytrader.*} key nothing reads, wherever it is set: in the properties, as a system
     * property ({@code -Dcopytrader.copy.ratio=0.5}, which Camel reads over the properties), or as an environment
     * variable Camel reads for a key ({@code COPYTRADER_COPY_RATIO=0.5}: the key upper-cased, each character other
     * than a letter or a digit an underscore). Values are never part of it.
     *
     * @param defined          the keys the properties set
     * @param systemProperties the names of the JVM's system properties that may be settings (those outside
     *                         copytrader.* are left alone)
     * @param environment      the names of the environment's variables that may be settings (those outside
     *                         COPYTRADER_ are left alone, as are the test suite's COPYTRADER_TEST_*)
     * @param read             the keys read (per-target keys among them stand for every target's)
     */
    public static String refusal(Collection<String> defined, Collection<String> systemProperties,
                                 Collection<String> environment, Set<String> read) {
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(defined)) {
            if (ours(key) && !read.contains(key)) {
                String near = nearest(key, read);
                unknown.add(Setting.printable(key) + (near == null ? "" : " (did you mean " + near + "?)"));
            }
        }
        for (String key : new TreeSet<>(systemProperties)) {
            if (ours(key) && !read.contains(key)) {
                String near = nearest(key, read);
                unknown.add("-D" + Setting.printable(key) + (near == null ? "" : " (did you mean -D" + near + "?)"));
            }
        }
        Map<String, String> variables = new TreeMap<>();
        for (String key : read) {
            variables.putIfAbsent(variable(key), key);
        }
        for (String name : new TreeSet<>(environment)) {
            if (name.startsWith(VARIABLE_PREFIX) && !name.startsWith(variable(TargetSettings.PREFIX))
                    && !name.startsWith(TEST_VARIABLES) && !variables.containsKey(name)) {
                String near = nearest(name, variables.keySet());
                unknown.add(Setting.printable(name) + " in the environment"
                        + (near == null ? "" : " (did you mean " + near + "?)"));
            }
        }
        if (unknown.isEmpty()) {
            return null;
        }
        boolean one = unknown.size() == 1;
        return String.join(", ", unknown) + (one ? " is set, but no setting reads it" : " are set, but no setting reads them")
                + " (a misspelled key would leave its setting at the default): correct " + (one ? "its name" : "their names")
                + " or remove " + (one ? "it" : "them");
    }

    private static boolean ours(String key) {
        return key.startsWith(NAMESPACE) && !key.startsWith(TargetSettings.PREFIX);
    }

    /** The environment variable Camel reads for a key: upper-cased, each character but a letter or digit a '_'. */
    static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /**
     * The read key nearest to {@code key} by edits (a letter added, left out, changed or two swapped), when it is
     * close enough to be the one meant: within a quarter of the length after {@code copytrader.}, and at least 2.
     * Per-target keys are compared with the name {@code key} has in their place (copytrader.target.bob.ratio is
     * near copytrader.targets.bob.ratio).
     */
    static String nearest(String key, Set<String> read) {
        Map.Entry<String, Integer> best = closest(key, candidates(key, read));
        if (best == null) {
            return null;
        }
        int tail = Math.max(key.length(), best.getKey().length()) - NAMESPACE.length();
        return best.getValue() <= Math.max(2, tail / 4) ? best.getKey() : null;
    }

    private static Set<String> candidates(String key, Set<String> read) {
        String[] parts = key.split("\\.", 4); // copytrader, targets, name, field
        Set<String> out = new TreeSet<>();
        for (String r : read) {
            if (!r.startsWith(TargetSettings.PREFIX)) {
                out.add(r);
            } else if (parts.length == 4) {
                String rest = r.substring(TargetSettings.PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    out.add(TargetSettings.PREFIX + parts[2] + rest.substring(dot));
                }
            }
        }
        return out;
    }

    /** Edits from a to b: insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
