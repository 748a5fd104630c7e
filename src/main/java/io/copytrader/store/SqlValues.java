package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How values are written to and read from SQL text columns so that they come back exactly: decimals as text (scale
 * kept), instants as fixed-width UTC text with nanoseconds (sortable), a {@link DetectedTrade} as eleven columns.
 */
final class SqlValues {
    /** The DetectedTrade columns in bind order; a table keeping the trade under a prefix uses {@link #tradeColumns}. */
    static final List<String> TRADE_COLUMNS = List.of("source_trade_id", "trader", "instrument", "instrument_outcome",
            "side", "price", "quantity", "notional", "ts_event", "ts_init", "source_order");

    private static final DateTimeFormatter INSTANT_TEXT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** The instants {@link #INSTANT_TEXT} can write: Instant's first and last years are past LocalDateTime's. */
    private static final long FIRST_SECOND = LocalDateTime.MIN.toEpochSecond(ZoneOffset.UTC);
    private static final long LAST_SECOND = LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC);

    private SqlValues() {
    }

    static String tradeColumns(String prefix) {
        return TRADE_COLUMNS.stream().map(c -> prefix + c).collect(Collectors.joining(", "));
    }

    static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }

    /** Plain digits when the scale is not negative (all real prices); else the exponent form, which keeps the scale. */
    static String decimal(BigDecimal value) {
        if (value == null) {
            return null;
        }
        return value.scale() >= 0 ? value.toPlainString() : value.toString();
    }

    static BigDecimal decimal(String text) {
        return text == null ? null : new BigDecimal(text);
    }

    /**
     * The instant as {@link #INSTANT_TEXT} writes it, digit by digit for the years 0000-9999 (every instant the engine
     * stores: several per copied trade, where the formatter's general machinery was 1.9 % of the engine's samples at
     * 1,000 trades/s), through the formatter for any other year, as ISO text for the years past the formatter's.
     */
    static String instant(Instant value) {
        if (value == null) {
            return null;
        }
        if (value.getEpochSecond() < FIRST_SECOND || value.getEpochSecond() > LAST_SECOND) {
            return value.toString(); // a block time a node gave, say: ChainLog takes any Instant
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(value.getEpochSecond(), value.getNano(), ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) {
            return INSTANT_TEXT.format(value);
        }
        char[] text = new char[30]; // uuuu-MM-ddTHH:mm:ss.SSSSSSSSSZ
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, t.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, t.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, t.getHour(), 2);
        text[13] = ':';
        digits(text, 14, t.getMinute(), 2);
        text[16] = ':';
        digits(text, 17, t.getSecond(), 2);
        text[19] = '.';
        digits(text, 20, t.getNano(), 9);
        text[29] = 'Z';
        return new String(text);
    }

    /** Writes {@code value} as exactly {@code width} decimal digits, zero-padded, at {@code at}. */
    private static void digits(char[] into, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * The instant of text {@link #instant(Instant)} wrote: digit by digit for its fixed-width form of the years
     * 0000-9999 (the monitor reads the open orders' instants at every pass, and {@code Instant.parse}'s general
     * machinery was 1.7 % of an idle engine's CPU samples), through {@code Instant.parse} for any other text, which
     * also gives the error of a malformed one.
     */
    static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        if (text.length() == 30 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.'
                && text.charAt(29) == 'Z') {
            int year = number(text, 0, 4);
            int month = number(text, 5, 2);
            int day = number(text, 8, 2);
            int hour = number(text, 11, 2);
            int minute = number(text, 14, 2);
            int second = number(text, 17, 2);
            int nano = number(text, 20, 9);
            if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59
                    && second >= 0 && second <= 59 && nano >= 0) {
                try {
                    long epochDay = LocalDate.of(year, month, day).toEpochDay();
                    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nano);
                } catch (DateTimeException noSuchDay) {
                    // a month or day out of range: Instant.parse says so below
                }
            }
        }
        return Instant.parse(text);
    }

    /** The {@code width} decimal digits at {@code at}, or -1 when one of them is not a digit. */
    private static int number(String text, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    static void setText(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    /** Binds the trade to TRADE_COLUMNS.size() parameters from {@code first}; returns the next free index. */
    static int bindTrade(PreparedStatement ps, int first, DetectedTrade t) throws SQLException {
        int i = first;
        ps.setString(i++, t.sourceTradeId().value());
        ps.setString(i++, t.trader().value());
        ps.setString(i++, t.instrument().value());
        setText(ps, i++, t.outcome());
        ps.setString(i++, t.side().name());
        ps.setString(i++, decimal(t.price()));
        ps.setString(i++, decimal(t.quantity()));
        ps.setString(i++, decimal(t.notional()));
        ps.setString(i++, instant(t.tsEvent()));
        ps.setString(i++, instant(t.tsInit()));
        setText(ps, i++, t.sourceOrder());
        return i;
    }

    /** Reads a trade selected with {@link #tradeColumns}(prefix). */
    static DetectedTrade readTrade(ResultSet rs, String prefix) throws SQLException {
        return new DetectedTrade(
                new SourceTradeId(rs.getString(prefix + "source_trade_id")),
                new TraderId(rs.getString(prefix + "trader")),
                new InstrumentId(rs.getString(prefix + "instrument")),
                rs.getString(prefix + "instrument_outcome"),
                Side.valueOf(rs.getString(prefix + "side")),
                decimal(rs.getString(prefix + "price")),
                decimal(rs.getString(prefix + "quantity")),
                decimal(rs.getString(prefix + "notional")),
                instant(rs.getString(prefix + "ts_event")),
                instant(rs.getString(prefix + "ts_init")),
                rs.getString(prefix + "source_order"));
    }
}
