package io.copytrader.chain;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import io.copytrader.polymarket.PolymarketFeedAdapter;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns CTF Exchange V2 {@code OrderFilled} logs into the target's fills (contract 2.8, from the exchange's own
 * source): only logs whose {@code maker} (topic 2) is a target count; a log naming the target as {@code taker}
 * describes the counterparty's order, and {@code OrdersMatched} repeats the taker's fill, so both are skipped.
 *
 * <p>Amounts have 6 decimals (pUSD and outcome tokens). BUY (side 0): shares = takerAmountFilled, cash =
 * makerAmountFilled; SELL (1): the reverse. Price = cash / shares, rounded half-even to 6 decimals; quantity and
 * notional are exact.
 */
public final class OrderFilledDecoder {
    /** keccak256("OrderFilled(bytes32,address,address,uint8,uint256,uint256,uint256,uint256,bytes32,bytes32)") */
    public static final String ORDER_FILLED =
            "0xd543adfd945773f1a62f74f0ee55a5e3b9b1a28262980ba90b1a89f2ea84d8ee";
    /** keccak256("OrdersMatched(bytes32,address,uint8,uint256,uint256,uint256)"): never a fill of its own. */
    public static final String ORDERS_MATCHED =
            "0x174b3811690657c217184f89418266767c87e4805d09680c39fc9c031c0cab7c";
    /** CTF Exchange V2, NegRisk Exchange V2 and ExchangeV3 on Polygon (137): same code, same events. */
    public static final List<String> POLYGON_EXCHANGES = List.of(
            "0xe111180000d2663c0091e4f400237545b87b996b",
            "0xe2222d279d744050d28e00520010520000310f59",
            "0xe3333700ca9d93003f00f0f71f8515005f6c00aa");
    static final int TOKEN_DECIMALS = 6;
    static final int PRICE_SCALE = 6;
    private static final int WORD = 64; // hex digits in a 32-byte word

    private final Map<String, TraderId> targets;
    private final Set<String> exchanges;

    /**
     * @param targets   target wallets (0x addresses, any case)
     * @param exchanges the exchange contracts whose logs count
     */
    public OrderFilledDecoder(Collection<TraderId> targets, Collection<String> exchanges) {
        this.targets = targets.stream().collect(Collectors.toUnmodifiableMap(
                t -> address(t.value()), Function.identity(), (a, b) -> a));
        this.exchanges = exchanges.stream().map(OrderFilledDecoder::address).collect(Collectors.toUnmodifiableSet());
    }

    public Set<String> targetAddresses() {
        return targets.keySet();
    }

    public Set<String> exchanges() {
        return exchanges;
    }

    /**
     * The target's fill in this log, or empty when the log is not one (another event, another contract, another
     * maker).
     *
     * @throws IllegalArgumentException when it is a target's OrderFilled log that cannot be read (wrong data
     *                                  length, side not 0/1, zero shares, price outside (0, 1))
     */
    public Optional<ChainFill> decode(ChainLog log, Instant blockTime, Instant now) {
        if (log.topics().size() != 4 || !ORDER_FILLED.equals(log.topics().get(0)) || !exchanges.contains(log.address())) {
            return Optional.empty();
        }
        TraderId trader = targets.get(topicAddress(log.topics().get(2)));
        if (trader == null) {
            return Optional.empty(); // maker is someone else: the counterparty's fill, or not ours at all
        }
        String data = log.data().substring(2);
        if (data.length() != 7 * WORD) {
            throw new IllegalArgumentException("OrderFilled data must be 7 words, but was " + data.length() / 2 + " bytes");
        }
        BigInteger sideWord = word(data, 0);
        if (sideWord.compareTo(BigInteger.ONE) > 0) {
            throw new IllegalArgumentException("OrderFilled side must be 0 or 1, but was " + sideWord);
        }
        Side side = sideWord.signum() == 0 ? Side.BUY : Side.SELL;
        String tokenId = word(data, 1).toString();
        BigInteger makerAmount = word(data, 2);
        BigInteger takerAmount = word(data, 3);
        BigDecimal fee = units(word(data, 4));
        BigDecimal shares = units(side == Side.BUY ? takerAmount : makerAmount);
        BigDecimal cash = units(side == Side.BUY ? makerAmount : takerAmount);
        if (shares.signum() <= 0) {
            throw new IllegalArgumentException("OrderFilled with zero shares");
        }
        BigDecimal price = cash.divide(shares, PRICE_SCALE, RoundingMode.HALF_EVEN);
        if (price.signum() <= 0 || price.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("OrderFilled price " + price.toPlainString() + " is outside (0,1)");
        }
        boolean aggressor = log.address().equals(topicAddress(log.topics().get(3)));
        DetectedTrade trade = new DetectedTrade(
                PolymarketFeedAdapter.sourceTradeId(log.txHash(), tokenId, side, shares, price), trader,
                new InstrumentId(tokenId), null, side, price, shares, cash, blockTime, now,
                log.txHash().toLowerCase(java.util.Locale.ROOT));
        return Optional.of(new ChainFill(trade, log.topics().get(1), aggressor, fee, log));
    }

    /** A topic (32 bytes) holding an address: its last 20 bytes. */
    static String topicAddress(String topic) {
        return "0x" + topic.substring(topic.length() - 40);
    }

    /** An address as a 32-byte topic, for log filters. */
    public static String addressTopic(String address) {
        return "0x" + "0".repeat(24) + address(address).substring(2);
    }

    static String address(String value) {
        String a = value.trim().toLowerCase(Locale.ROOT);
        if (!a.matches("0x[0-9a-f]{40}")) {
            throw new IllegalArgumentException("not a 0x address (40 hex digits): '" + abbreviate(value) + "'");
        }
        return a;
    }

    private static BigInteger word(String data, int index) {
        return new BigInteger(data.substring(index * WORD, (index + 1) * WORD), 16);
    }

    private static BigDecimal units(BigInteger amount) {
        return new BigDecimal(amount, TOKEN_DECIMALS);
    }

    private static String abbreviate(String text) {
        return text.length() <= 50 ? text : text.substring(0, 50) + "...";
    }
}
