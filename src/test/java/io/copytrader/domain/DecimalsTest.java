package io.copytrader.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Amounts read from outside: exact as written, and refused when no price, size or balance could be that long. */
class DecimalsTest {

    @Test
    void shouldReadThirtyDigitsEachSideOfThePointAndNoMore() {
        String thirty = "9".repeat(30);
        assertThat(Decimals.parse("size", thirty + "." + thirty)).isEqualByComparingTo(thirty + "." + thirty);
        assertThat(Decimals.parse("size", "-" + thirty)).isEqualByComparingTo("-" + thirty);
        assertThatThrownBy(() -> Decimals.parse("size", "1" + thirty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size 1" + thirty + " is out of range (at most 30 digits before and after the point)");
        assertThatThrownBy(() -> Decimals.parse("price", "0." + thirty + "1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("price 0." + thirty + "1 is out of range");
        assertThat(Decimals.parse("price", "0.5" + "0".repeat(40))).as("trailing zeros are no digits").isEqualByComparingTo("0.5");
    }

    @Test
    void shouldRefuseAShortTextForAHugeNumberButNotZero() {
        assertThatThrownBy(() -> Decimals.parse("size", "1e999999999")).hasMessageStartingWith("size 1E+999999999 is out of range");
        assertThatThrownBy(() -> Decimals.parse("size", "1e-999999999")).hasMessageStartingWith("size 1E-999999999 is out of range");
        assertThatThrownBy(() -> Decimals.bounded("balance", new BigDecimal("1e31"))).hasMessageStartingWith("balance 1E+31");
        assertThat(Decimals.bounded("size", new BigDecimal("1e29"))).isEqualByComparingTo("1e29");
        assertThat(Decimals.bounded("size", new BigDecimal("0e999999999"))).isZero();
        assertThat(Decimals.usd(Decimals.parse("size", "0e-999999999"))).isEqualByComparingTo("0");
    }

    @Test
    void shouldSayWhatIsNotANumber() {
        assertThatThrownBy(() -> Decimals.parse("price", "0.5.1")).hasMessage("price is not a decimal number: '0.5.1'");
        assertThatThrownBy(() -> Decimals.parse("price", " ")).hasMessage("price is missing");
    }
}
