package io.copytrader.polymarket;

/**
 * The EIP-712 domain an order is signed for: {@code {name:"Polymarket CTF Exchange", version, chainId,
 * verifyingContract}}. The verifying contract is the CTF exchange, or the neg-risk exchange for neg-risk markets.
 */
public record OrderDomain(String version, long chainId, String exchange, String negRiskExchange) {
    public static final String NAME = "Polymarket CTF Exchange";

    /** CLOB V2 on Polygon mainnet (contract 2.4, "Polygon 137 addresses"). */
    public static final OrderDomain POLYGON_V2 = new OrderDomain("2", 137,
            "0xE111180000d2663C0091e4f400237545B87B996B", "0xe2222d279d744050d28e00520010520000310F59");

    public OrderDomain {
        Eip712.requireAddress(exchange);
        Eip712.requireAddress(negRiskExchange);
    }

    public String verifyingContract(boolean negRisk) {
        return negRisk ? negRiskExchange : exchange;
    }

    byte[] separator(boolean negRisk) {
        return Eip712.domain(NAME, version, chainId, verifyingContract(negRisk));
    }
}
