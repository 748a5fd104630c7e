package io.copytrader.config;

import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What we do for one target trader: its copy ratio, the most we hold of any instrument because of it, the smallest
 * of its trades worth copying, and which markets (instrument ids) we copy it in. Set per target in
 * application.properties as {@code copytrader.targets.<trader>.ratio}, {@code .max-position-usd},
 * {@code .min-trade-usd}, {@code .markets.allow}, {@code .markets.deny}; every one left unset takes the global value
 * (COPY_RATIO, MAX_POSITION_SIZE_USD, MIN_TRADE_SIZE_USD, MARKETS_ALLOW, MARKETS_DENY).
 *
 * <p>A market list is comma-separated instrument ids; an entry ending in {@code *} matches every id starting with
 * what precedes it. An empty allow list allows every market; deny wins over allow.
 */
public record TargetSettings(TraderId trader, BigDecimal ratio, BigDecimal maxPositionUsd, BigDecimal minTradeUsd,
                             List<String> marketsAllow, List<String> marketsDeny) {
    public static final String PREFIX = "copytrader.targets.";
    public static final String GLOBAL_ALLOW = "copytrader.filter.markets.allow";
    public static final String GLOBAL_DENY = "copytrader.filter.markets.deny";
    private static final List<String> FIELDS = List.of("ratio", "max-position-usd", "min-trade-usd", "markets.allow",
            "markets.deny");
    private static final BigDecimal BIG = new BigDecimal("1000000000");

    public TargetSettings {
        marketsAllow = List.copyOf(marketsAllow);
        marketsDeny = List.copyOf(marketsDeny);
    }

    /** True when this target's trades in the instrument are copied (allow list, then deny list). */
    public boolean allows(InstrumentId instrument) {
        String id = instrument.value();
        if (!marketsAllow.isEmpty() && marketsAllow.stream().noneMatch(p -> matches(p, id))) {
            return false;
        }
        return marketsDeny.stream().noneMatch(p -> matches(p, id));
    }

    private static boolean matches(String pattern, String id) {
        return pattern.endsWith("*") ? id.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(id);
    }

    /**
     * The settings of every target in TARGET_TRADERS, in that order, validated eagerly: a bad value, a setting of a
     * target that is not followed, or an unknown setting name stops startup with a message naming the key.
     *
     * @param lookup      resolves a property key; null means "not set" (a blank value is refused)
     * @param definedKeys every property key present (to find settings of targets not followed, and misspellings)
     */
    public static Map<TraderId, TargetSettings> load(CopyTraderSettings globals, Function<String, String> lookup,
                                                     Collection<String> definedKeys) {
        Setting s = new Setting(lookup);
        List<String> allow = list(s.text(GLOBAL_ALLOW, "MARKETS_ALLOW", ""), "MARKETS_ALLOW (" + GLOBAL_ALLOW + ")");
        List<String> deny = list(s.text(GLOBAL_DENY, "MARKETS_DENY", ""), "MARKETS_DENY (" + GLOBAL_DENY + ")");
        Map<String, TraderId> byName = new LinkedHashMap<>();
        globals.targetTraders().forEach(t -> byName.put(t.value().toLowerCase(Locale.ROOT), t));
        Map<String, String> firstKeyOf = new HashMap<>(); // a target's name in lower case -> its first key
        for (String key : new TreeSet<>(definedKeys)) {
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            String field = dot < 0 ? "" : rest.substring(dot + 1);
            if (!byName.containsKey(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidSettingException(key + " sets target '" + name + "', which is not in TARGET_TRADERS ("
                        + String.join(", ", globals.targetTraders().stream().map(TraderId::value).toList()) + ")");
            }
            if (!FIELDS.contains(field)) {
                throw new InvalidSettingException(key + " is not a per-target setting; the settings are "
                        + String.join(", ", FIELDS));
            }
            // one spelling per target: the settings are read under one, those written another way would be ignored
            String first = firstKeyOf.putIfAbsent(name.toLowerCase(Locale.ROOT), key);
            if (first != null && !first.startsWith(PREFIX + name + ".")) {
                throw new InvalidSettingException(key + " and " + first + " write target '" + name
                        + "' two ways; write all the settings of a target the same way");
            }
        }
        Map<TraderId, TargetSettings> targets = new LinkedHashMap<>();
        for (TraderId trader : globals.targetTraders()) {
            String p = PREFIX + nameAsWritten(trader, definedKeys) + ".";
            targets.put(trader, new TargetSettings(trader,
                    s.decimal(p + "ratio", null, globals.copyRatio().toPlainString(), BigDecimal.ZERO, false,
                            new BigDecimal("100"), true),
                    s.decimal(p + "max-position-usd", null, globals.maxPositionSizeUsd().toPlainString(), BigDecimal.ZERO,
                            false, BIG, true),
                    s.decimal(p + "min-trade-usd", null, globals.minTradeSizeUsd().toPlainString(), BigDecimal.ZERO, true,
                            BIG, true),
                    orDefault(s.raw(p + "markets.allow", null), allow, p + "markets.allow", "MARKETS_ALLOW"),
                    orDefault(s.raw(p + "markets.deny", null), deny, p + "markets.deny", "MARKETS_DENY")));
        }
        return targets;
    }

    /** The target's name as the properties spell it (names match whatever their case: wallet addresses vary). */
    private static String nameAsWritten(TraderId trader, Collection<String> definedKeys) {
        String lower = (PREFIX + trader.value() + ".").toLowerCase(Locale.ROOT);
        for (String key : definedKeys) {
            if (key.toLowerCase(Locale.ROOT).startsWith(lower)) {
                return key.substring(PREFIX.length(), PREFIX.length() + trader.value().length());
            }
        }
        return trader.value();
    }

    /** A target's own list; unset: the global one. Set but empty is refused, as every setting set but empty is. */
    private static List<String> orDefault(String raw, List<String> fallback, String key, String global) {
        if (raw == null) {
            return fallback;
        }
        if (raw.isBlank()) {
            throw new InvalidSettingException(key + " must not be empty, but was ''; unset it to take " + global);
        }
        List<String> own = list(raw, key);
        if (own.isEmpty()) { // only commas: an empty allow list would allow every market, whatever the global one says
            throw new InvalidSettingException(key + " must name at least one instrument, but was '"
                    + Setting.printable(raw.trim()) + "'; unset it to take " + global);
        }
        return own;
    }

    private static List<String> list(String raw, String what) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("*") || p.indexOf('*') != p.length() - 1 && p.contains("*")) {
                throw new InvalidSettingException(what + " holds '" + p + "': an entry is an instrument id, or a prefix"
                        + " followed by one '*' at its end");
            }
            try {
                new InstrumentId(p.endsWith("*") ? p.substring(0, p.length() - 1) : p);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(what + " holds an invalid instrument: " + e.getMessage());
            }
            out.add(p);
        }
        return out;
    }

    /** For messages and status: "ratio 0.5, max position $10, min trade $1, allow [tok-1*], deny []". */
    public String describe() {
        return "ratio " + ratio.toPlainString() + ", max position $" + maxPositionUsd.toPlainString() + ", min trade $"
                + minTradeUsd.toPlainString() + ", markets allow " + (marketsAllow.isEmpty() ? "all" : marketsAllow)
                + ", deny " + (marketsDeny.isEmpty() ? "none" : marketsDeny);
    }
}
