package io.copytrader.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.chain.ChainLog;
import io.copytrader.chain.OrderFilledDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real local EVM node for tests and the chain bench: {@code anvil} (npm {@code @foundry-rs/anvil} 1.7.1, installed
 * by {@code .ci/setup.d/30-anvil.sh} or {@code npm install}) on a free loopback port, chain id 137, with the emitter
 * ({@code src/main/resources/chain/ExchangeEventEmitter.sol}) placed at the CTF Exchange V2's address by
 * {@code anvil_setCode}, so its logs carry the exchange's own address and event.
 */
public final class Anvil implements AutoCloseable {
    public static final String EXCHANGE = OrderFilledDecoder.POLYGON_EXCHANGES.get(0);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMIT_FILL = "6c8fc7d1";
    private static final String EMIT_FILLS = "daa79762";
    private static final String EMIT_MATCH = "efea7b2a";

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String from;
    private long ids;

    private Anvil(Process process, int port) {
        this.process = process;
        this.port = port;
        awaitUp();
        this.from = call("eth_accounts").get(0).asText();
        call("anvil_setCode", EXCHANGE, "0x" + emitterCode());
    }

    /**
     * Starts {@code binary} with extra arguments, e.g. {@code --no-mining} (blocks only on {@link #mine()}); none:
     * a block for each transaction (automine).
     */
    public static Anvil start(Path binary, List<String> extra) {
        return start(binary, extra, false);
    }

    /**
     * As {@link #start(Path, List)}; with {@code endWithThisThread}, the node is killed when the thread calling this
     * ends, or its process (a bench killed with SIGKILL or crashed runs no shutdown hook, and its node served on for
     * ever): it runs under util-linux's {@code setpriv --pdeathsig KILL}, the kernel's parent-death signal, which
     * follows the thread that started the child. Call it from a thread that lives as long as the node (the bench's
     * main). Without {@code setpriv} on the PATH the node starts as before, closed by {@link #close()} alone.
     */
    public static Anvil start(Path binary, List<String> extra, boolean endWithThisThread) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        if (endWithThisThread) {
            setpriv().ifPresent(setpriv -> command.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL")));
        }
        command.addAll(List.of(binary.toString(), "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--chain-id", "137", "--silent"));
        command.addAll(extra);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                return new Anvil(p, port);
            } catch (RuntimeException e) {
                p.destroyForcibly();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** ANVIL_BIN, then node_modules (here or in a parent folder), then PATH. */
    public static java.util.Optional<Path> locate() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("ANVIL_BIN");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            candidates.add(d.resolve("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"));
            candidates.add(d.resolve("node_modules/.bin/anvil"));
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isBlank()) {
                candidates.add(Path.of(p, "anvil"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** util-linux's {@code setpriv} on the PATH (Debian's util-linux ships it), if there. */
    static java.util.Optional<Path> setpriv() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isBlank() && Files.isExecutable(Path.of(p, "setpriv"))) {
                return java.util.Optional.of(Path.of(p, "setpriv"));
            }
        }
        return java.util.Optional.empty();
    }

    /** The node's process id. */
    public long pid() {
        return process.pid();
    }

    public static final String HOW_TO_INSTALL = "anvil not found (ANVIL_BIN, node_modules/.bin/anvil or PATH): run "
            + "`npm install --no-save @foundry-rs/anvil@1.7.1` in the project directory (.ci/setup.d/30-anvil.sh does)";

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String emitterCode() {
        try (InputStream in = Anvil.class.getResourceAsStream("/chain/ExchangeEventEmitter.bin-runtime")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitUp() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                call("eth_chainId");
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("anvil did not come up on port " + port, e);
                }
                pause();
            }
        }
    }

    /** Polling a starting process or a pending receipt: there is no event to wait on. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI wsUrl() {
        return URI.create("ws://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** One JSON-RPC call over HTTP; an error answer throws. */
    public synchronized JsonNode call(String method, Object... params) {
        ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", ++ids).put("method", method);
        ArrayNode p = request.putArray("params");
        for (Object param : params) {
            p.add(JSON.valueToTree(param));
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode answer = JSON.readTree(r.body());
            if (answer.hasNonNull("error")) {
                throw new IllegalStateException(method + ": " + answer.get("error"));
            }
            return answer.get("result");
        } catch (IOException e) {
            throw new UncheckedIOException(method, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public long blockNumber() {
        return ChainLog.quantity(call("eth_blockNumber").asText(), "blockNumber");
    }

    /** Mines one block now; returns its number. */
    public long mine() {
        call("evm_mine");
        return blockNumber();
    }

    /** Removes the last {@code depth} blocks, replacing them with empty ones (their transactions are gone). */
    public void reorg(int depth) {
        call("anvil_reorg", depth, List.of());
    }

    /** Sends a transaction to the exchange's address; returns its hash (mined at once under automine). */
    public String send(String data) {
        ObjectNode tx = JSON.createObjectNode().put("from", from).put("to", EXCHANGE).put("data", data).put("gas", "0x1000000");
        return call("eth_sendTransaction", tx).asText();
    }

    /** One OrderFilled of {@code maker}'s order {@code orderHash}. */
    public String fill(String orderHash, String maker, String taker, int side, BigInteger tokenId, long makerAmount,
                       long takerAmount, long fee) {
        return send("0x" + EMIT_FILL + word(orderHash) + word(maker) + word(taker) + word(side) + word(tokenId)
                + word(makerAmount) + word(takerAmount) + word(fee));
    }

    /** {@code count} OrderFilled logs of {@code maker} in one transaction, order hashes firstHash, firstHash + 1, ... */
    public String fills(BigInteger firstHash, String maker, String taker, int side, BigInteger tokenId, long makerAmount,
                        long takerAmount, int count) {
        return send("0x" + EMIT_FILLS + word(firstHash) + word(maker) + word(taker) + word(side) + word(tokenId)
                + word(makerAmount) + word(takerAmount) + word(count));
    }

    /** One matchOrders of a resting maker order and a taker order: two OrderFilled logs and OrdersMatched. */
    public String match(String makerOrderHash, String makerOrderMaker, String takerOrderHash, String takerOrderMaker,
                        int takerSide, BigInteger tokenId, long shares, long cash) {
        return send("0x" + EMIT_MATCH + word(makerOrderHash) + word(makerOrderMaker) + word(takerOrderHash)
                + word(takerOrderMaker) + word(takerSide) + word(tokenId) + word(shares) + word(cash));
    }

    /** The transaction's receipt (its logs), once it is mined. */
    public JsonNode receipt(String txHash) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            JsonNode r = call("eth_getTransactionReceipt", txHash);
            if ((r != null && !r.isNull()) || System.nanoTime() > deadline) {
                return r;
            }
            pause();
        }
    }

    public static String word(String hex) {
        String h = hex.startsWith("0x") ? hex.substring(2) : hex;
        return "0".repeat(64 - h.length()) + h.toLowerCase();
    }

    public static String word(long v) {
        return word(BigInteger.valueOf(v));
    }

    public static String word(BigInteger v) {
        return word(v.toString(16));
    }

    @Override
    public void close() {
        ChildProcess.stop(process);
    }
}
