package io.copytrader.store;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Instants are stored as fixed-width UTC text with nanoseconds, written by hand and read back exactly. */
class SqlValuesTest {
    /** The JDK's formatter with the stored pattern: the reference the hand-written digits must match. */
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void shouldWriteKnownInstantsDigitByDigit() {
        assertThat(SqlValues.instant(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000000000Z");
        assertThat(SqlValues.instant(Instant.parse("2026-12-04T07:05:09.000000042Z")))
                .isEqualTo("2026-12-04T07:05:09.000000042Z");
        assertThat(SqlValues.instant(Instant.parse("2024-02-29T23:59:59.999999999Z")))
                .isEqualTo("2024-02-29T23:59:59.999999999Z");
        assertThat(SqlValues.instant(Instant.parse("0000-01-01T00:00:00Z"))).isEqualTo("0000-01-01T00:00:00.000000000Z");
        assertThat(SqlValues.instant(Instant.parse("9999-12-31T23:59:59.5Z"))).isEqualTo("9999-12-31T23:59:59.500000000Z");
        assertThat(SqlValues.instant((Instant) null)).isNull();
    }

    @Test
    void shouldMatchTheFormatterAndReadBackExactlyOverManyInstants() {
        SplittableRandom random = new SplittableRandom(7);
        long min = Instant.parse("-0100-01-01T00:00:00Z").getEpochSecond(); // outside 0000-9999: the formatter's way
        long max = Instant.parse("+10100-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(min, max), random.nextInt(1_000_000_000));
            String text = SqlValues.instant(t);
            assertThat(text).as("%s", t).isEqualTo(REFERENCE.format(t));
            if (!text.startsWith("-") && !text.startsWith("+")) {
                assertThat(SqlValues.instant(text)).isEqualTo(t);
            }
        }
    }

    @Test
    void shouldWriteAndReadBackEveryInstantUpToTheFirstAndLastThatInstantHolds() {
        Instant lastOfTheFormatter = java.time.LocalDateTime.MAX.toInstant(ZoneOffset.UTC);
        Instant firstOfTheFormatter = java.time.LocalDateTime.MIN.toInstant(ZoneOffset.UTC);
        for (Instant t : java.util.List.of(Instant.MAX, Instant.MIN, lastOfTheFormatter, lastOfTheFormatter.plusNanos(1),
                firstOfTheFormatter, firstOfTheFormatter.minusNanos(1))) {
            assertThat(SqlValues.instant(SqlValues.instant(t))).as("%s", t).isEqualTo(t);
        }
        // the formatter's own first and last seconds are still its
        for (Instant t : java.util.List.of(firstOfTheFormatter, lastOfTheFormatter.minusNanos(999_999_999))) {
            assertThat(SqlValues.instant(t)).as("%s", t).isEqualTo(REFERENCE.format(t));
        }
    }

    @Test
    void shouldReadAnyOtherTextAsInstantParseDoes() {
        for (String text : java.util.List.of("2026-12-04T07:05:09Z", "2026-12-04T07:05:09.5Z", "+10000-01-01T00:00:00Z",
                "2026-12-31T23:59:60.000000000Z", "2026-13-01T00:00:00.000000000Z", "2026-02-30T00:00:00.000000000Z",
                "2026-00-10T00:00:00.000000000Z", "2026-12-04T24:00:00.000000000Z", "2026-12-04T07:60:09.000000042Z",
                "2026-12-04T07:05:09.00000004xZ", "2026-12-04 07:05:09.000000042Z", "2026-12-04T07:05:09.000000042z",
                "x026-12-04T07:05:09.000000042Z", "2025-02-29T00:00:00.000000000Z", "")) {
            Object expected;
            try {
                expected = Instant.parse(text);
            } catch (RuntimeException e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = SqlValues.instant(text);
            } catch (RuntimeException e) {
                actual = e.getClass();
            }
            assertThat(actual).as("'%s'", text).isEqualTo(expected);
        }
        assertThat(SqlValues.instant((String) null)).isNull();
    }

    @Test
    void shouldSortAsTheInstantsDo() {
        Instant earlier = Instant.parse("2026-12-04T07:05:09.999999999Z");
        Instant later = earlier.plusNanos(1);
        assertThat(SqlValues.instant(earlier).compareTo(SqlValues.instant(later))).isNegative();
    }
}
