package io.copytrader.polymarket;

import io.copytrader.venue.JdkVenueHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The start checks of a live Polymarket exchange against the fake CLOB: what is printed, and when start is refused. */
class PolymarketPreflightTest {
    private PolymarketFake fake;
    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));

    @BeforeEach
    void start() {
        fake = PolymarketFake.start();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    PolymarketExchangeAdapter exchange() {
        Map<String, String> env = new HashMap<>(Map.of("VENUE", "polymarket", "TARGET_TRADERS", PolymarketFake.TARGET,
                "POLY_PRIVATE_KEY", PolymarketFake.KEY, "POLY_API_KEY", PolymarketFake.API_KEY,
                "POLY_API_SECRET", PolymarketFake.SECRET, "POLY_PASSPHRASE", PolymarketFake.PASSPHRASE,
                "POLY_FUNDER", PolymarketFake.FUNDER, "POLY_SIGNATURE_TYPE", "2", "POLY_CLOB_URL", fake.url(),
                "POLY_DATA_API_URL", fake.url()));
        return PolymarketVenue.exchange(PolymarketConfig.from(env::get), http, Clock.systemUTC());
    }

    List<String> preflight(String ratio, String maxPosition) {
        return PolymarketPreflight.run(exchange(), http, new BigDecimal(ratio), new BigDecimal(maxPosition));
    }

    void stubCollateral(int status, String body) {
        fake.server().stubFor(get(urlPathEqualTo("/balance-allowance")).withQueryParam("asset_type", equalTo("COLLATERAL"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    @Test
    void shouldReportVersionCredentialsBalanceAndWhatTheSizingMeans() throws Exception {
        fake.stubAccount("250");
        List<String> lines = preflight("0.01", "10");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("CLOB order version 2"))
                .anySatisfy(l -> assertThat(l).contains("API credentials accepted for signer " + PolymarketFake.SIGNER))
                .anySatisfy(l -> assertThat(l).contains("pUSD balance 250", PolymarketFake.FUNDER))
                // 1% of a fill reaches the usual 5-share minimum only from 500 shares up
                .anySatisfy(l -> assertThat(l).contains("COPY_RATIO 0.01", "fills under 500 shares", "SIZING_TOO_SMALL"));
        PolymarketFake.assertL2(fake.requests("GET", "/balance-allowance").get(0));
    }

    @Test
    void shouldRefuseToStartWhenTheClobRefusesOurCredentials() {
        fake.stubAccount("250");
        stubCollateral(401, "{\"error\":\"Unauthorized/Invalid api key\"}");
        assertThatThrownBy(() -> preflight("0.01", "10")).isInstanceOf(PolymarketPreflight.PreflightFailure.class)
                .hasMessageStartingWith("Polymarket preflight: the CLOB refused our API credentials (HTTP 401)")
                .hasMessageNotContaining(PolymarketFake.SECRET).hasMessageNotContaining(PolymarketFake.PASSPHRASE)
                .message().doesNotContain("\n");
    }

    @Test
    void shouldRefuseToStartWithNothingToBuyWithAndNothingToSell() {
        fake.stubAccount("0");
        assertThatThrownBy(() -> preflight("0.01", "10")).isInstanceOf(PolymarketPreflight.PreflightFailure.class)
                .hasMessageContaining("has no pUSD and no positions: every order would fail");
    }

    @Test
    void shouldStartWithNoCashWhenThereAreSharesToSell() {
        fake.stubAccount("0");
        fake.stubPosition(PolymarketFake.TOKEN, "12", "0.4");
        assertThat(preflight("0.5", "10")).anySatisfy(l -> assertThat(l).contains("1 position(s) held"));
    }

    @Test
    void shouldRefuseToStartWhenNoExchangeMaySpendOurPusd() {
        fake.stubAccount("250");
        stubCollateral(200, "{\"balance\":\"250000000\",\"allowances\":{\""
                + OrderDomain.POLYGON_V2.exchange() + "\":\"0\",\"" + OrderDomain.POLYGON_V2.negRiskExchange() + "\":\"0\"}}");
        assertThatThrownBy(() -> preflight("0.01", "10")).isInstanceOf(PolymarketPreflight.PreflightFailure.class)
                .hasMessageContaining("allowance of funder " + PolymarketFake.FUNDER + " is 0 for every exchange contract");
    }

    @Test
    void shouldStartWhenOneExchangeMaySpendOurPusdAndSayWhatWasReported() {
        fake.stubAccount("250");
        stubCollateral(200, "{\"balance\":\"250000000\",\"allowances\":{\""
                + OrderDomain.POLYGON_V2.exchange() + "\":\"0\",\"" + OrderDomain.POLYGON_V2.negRiskExchange() + "\":\"7\"}}");
        assertThat(preflight("0.01", "10")).anySatisfy(l -> assertThat(l).contains("pUSD balance 250", "allowances [0, 7]"));
    }

    @Test
    void shouldStartWhenTheClobReportsNoAllowanceAndSaySo() {
        fake.stubAccount("250");
        assertThat(preflight("0.01", "10")).anySatisfy(l -> assertThat(l).contains("allowances not reported"));
    }

    @Test
    void shouldStartWhenTheLargestPositionBuysExactlyTheSmallestOrder() {
        fake.stubAccount("250");
        // 5 shares at the lowest price, 0.0001
        assertThat(preflight("0.01", "0.0005")).anySatisfy(l -> assertThat(l).contains("MAX_POSITION_SIZE_USD 0.0005"));
    }

    @Test
    void shouldRefuseToStartWhenNoCopyCouldReachTheSmallestOrder() {
        fake.stubAccount("250");
        assertThatThrownBy(() -> preflight("0.01", "0.0001")).isInstanceOf(PolymarketPreflight.PreflightFailure.class)
                .hasMessageContaining("MAX_POSITION_SIZE_USD 0.0001 is below");
    }

    @Test
    void shouldReadBothAllowanceShapes() {
        assertThat(PolymarketPreflight.allowances(Json.read("t", "{\"balance\":\"1\",\"allowance\":\"5\"}")))
                .containsExactly(new BigDecimal("5"));
        assertThat(PolymarketPreflight.allowances(Json.read("t", "{\"balance\":\"1\",\"allowances\":{\"0xa\":\"7\",\"0xb\":0}}")))
                .containsExactly(new BigDecimal("7"), BigDecimal.ZERO);
        assertThat(PolymarketPreflight.allowances(Json.read("t", "{\"balance\":\"1\"}"))).isEmpty();
    }
}
