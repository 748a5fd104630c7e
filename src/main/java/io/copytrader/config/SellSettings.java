package io.copytrader.config;

import java.util.Locale;
import java.util.function.Function;

/**
 * How sells are sized. {@code SELL_SIZING}: {@code proportional} (default) sells the share of our holding that the
 * target sold of its position (it sold 40% of what it held, we sell 40% of ours); {@code ratio} sells the target's
 * quantity times the copy ratio. {@code SELL_BELOW_MINIMUM}: when the proportional share is worth less than the
 * smallest order, {@code all} (default) sells the whole holding, {@code none} sells nothing.
 */
public record SellSettings(Sizing sizing, boolean sellAllBelowMinimum) {
    public enum Sizing { PROPORTIONAL, RATIO }

    public static final SellSettings DEFAULT = new SellSettings(Sizing.PROPORTIONAL, true);

    public static SellSettings load(Function<String, String> lookup) {
        Setting s = new Setting(lookup);
        String sizing = s.oneOf("copytrader.copy.sell-sizing", "SELL_SIZING", "proportional", "proportional", "ratio");
        String below = s.oneOf("copytrader.copy.sell-below-minimum", "SELL_BELOW_MINIMUM", "all", "all", "none");
        return new SellSettings(Sizing.valueOf(sizing.toUpperCase(Locale.ROOT)), below.equals("all"));
    }
}
