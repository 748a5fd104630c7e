package io.copytrader.chain;

import io.copytrader.config.InvalidSettingException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChainSettingsTest {
    static final String URL = "wss://polygon.example/v2/SECRETKEY123";

    static Map<String, String> defaults() {
        Map<String, String> p = new HashMap<>();
        p.put("copytrader.chain.exchanges", String.join(",", OrderFilledDecoder.POLYGON_EXCHANGES));
        p.put("copytrader.chain.get-logs-blocks", "500");
        p.put("copytrader.chain.initial-lookback-blocks", "0");
        p.put("copytrader.chain.request-timeout-ms", "10000");
        p.put("copytrader.chain.reconnect-initial-ms", "200");
        p.put("copytrader.chain.reconnect-max-ms", "10000");
        return p;
    }

    @Test
    void shouldDetectOnBothSourcesWhenAWebSocketIsSetAndOnTheDataApiOtherwise() {
        Map<String, String> p = defaults();
        assertThat(ChainSettings.load(p::get, "polymarket").detection()).isEqualTo("data-api");
        p.put("copytrader.chain.ws-url", URL);
        ChainSettings both = ChainSettings.load(p::get, "polymarket");
        assertThat(both.detection()).isEqualTo("both");
        assertThat(both.chainOn()).isTrue();
        assertThat(both.dataApiOn()).isTrue();
        assertThat(both.exchanges()).hasSize(3);
        p.put("copytrader.detection", "CHAIN");
        assertThat(ChainSettings.load(p::get, "polymarket").dataApiOn()).isFalse();
        // the paper venue has no chain: a URL alone changes nothing there
        assertThat(ChainSettings.load(key -> key.equals("copytrader.chain.ws-url") ? URL : null, "paper").chainOn()).isFalse();
    }

    @Test
    void shouldRefuseBadSettingsNamingTheVariableAndNeverTheUrl() {
        Map<String, String> p = defaults();
        p.put("copytrader.detection", "mempool");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DETECTION (copytrader.detection) must be chain, data-api or both");
        p.put("copytrader.detection", "chain");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageContaining("POLYGON_WS_URL")
                .hasMessageContaining("not set");
        p.put("copytrader.chain.ws-url", "https://polygon.example/v2/SECRETKEY123");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageContaining("ws:// or wss://")
                .hasMessageNotContaining("SECRETKEY123");
        p.put("copytrader.chain.ws-url", URL);
        assertThatThrownBy(() -> ChainSettings.load(p::get, "paper")).hasMessageContaining("needs VENUE=polymarket");
        p.put("copytrader.chain.exchanges", "0x1234");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageContaining("CHAIN_EXCHANGES");
        p.put("copytrader.chain.exchanges", OrderFilledDecoder.POLYGON_EXCHANGES.get(0));
        p.put("copytrader.chain.get-logs-blocks", "0");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageContaining("CHAIN_GET_LOGS_BLOCKS");
    }

    @Test
    void shouldTakeEachWholeNumberAtItsEdgesAndSkipEmptyContractEntries() {
        Map<String, String> p = defaults();
        p.put("copytrader.chain.ws-url", URL);
        p.put("copytrader.chain.exchanges", " , " + OrderFilledDecoder.POLYGON_EXCHANGES.get(0) + ",,");
        p.put("copytrader.chain.get-logs-blocks", "100000");
        p.put("copytrader.chain.request-timeout-ms", "100");
        p.put("copytrader.chain.reconnect-initial-ms", "300");
        p.put("copytrader.chain.reconnect-max-ms", "300");
        ChainSettings s = ChainSettings.load(p::get, "polymarket");
        assertThat(s.exchanges()).hasSize(1);
        assertThat(s.options().blocksPerGetLogs()).isEqualTo(100_000);
        assertThat(s.options().initialLookbackBlocks()).isZero();
        assertThat(s.options().requestTimeout()).hasMillis(100);
        assertThat(s.options().reconnectMax()).hasMillis(300);
        p.put("copytrader.chain.reconnect-max-ms", "299");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).isInstanceOf(InvalidSettingException.class)
                .hasMessage("CHAIN_RECONNECT_MAX_MS (copytrader.chain.reconnect-max-ms) must be a whole number in"
                        + " [300, 3600000], but was '299'");
        p.put("copytrader.chain.reconnect-max-ms", "300");
        p.put("copytrader.chain.get-logs-blocks", "100001");
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageContaining("CHAIN_GET_LOGS_BLOCKS");
        // a value of any length is shown at most 40 characters long
        p.put("copytrader.chain.get-logs-blocks", "1".repeat(40));
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageEndingWith("'" + "1".repeat(40) + "'");
        p.put("copytrader.chain.get-logs-blocks", "2".repeat(41));
        assertThatThrownBy(() -> ChainSettings.load(p::get, "polymarket")).hasMessageEndingWith("'" + "2".repeat(40) + "...'");
    }
}
