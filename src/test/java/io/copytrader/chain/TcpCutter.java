package io.copytrader.chain;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a free loopback port in front of a server (a node, a database), to break the network: {@link #cut()}
 * closes every relayed connection at once (both sides see the socket die mid-stream) and refuses new ones until
 * {@link #restore()}; {@link #loseTheAnswerTo(String)} lets one request through and drops its answer.
 */
public final class TcpCutter implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Per relayed connection: when set, its bytes are swallowed both ways and it is never closed. */
    private final List<java.util.concurrent.atomic.AtomicBoolean> holes = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;
    private volatile List<byte[]> markers;
    private final AtomicInteger answersLost = new AtomicInteger();
    private final AtomicInteger seen = new AtomicInteger();
    private volatile int occurrence = 1;
    private volatile boolean itsCommit;
    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROLLBACK = "ROLLBACK".getBytes(StandardCharsets.US_ASCII);

    public TcpCutter(int targetPort) {
        this.target = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "tcp-cutter");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * The first time a client sends bytes holding {@code text} (a bound parameter, such as a trade key), the request
     * goes through and the server runs it (an autocommit write commits), but the server's answer is dropped and that
     * connection closed on both sides, as a network failing between a commit and its answer leaves it. Once.
     */
    public void loseTheAnswerTo(String text) {
        loseTheAnswerTo(text, 1, false);
    }

    /**
     * As {@link #loseTheAnswerTo(String)}, for the {@code occurrence}-th request holding {@code text} (1: the first);
     * with {@code itsCommit}, for a write in a transaction, the answer lost is the one to that connection's next
     * COMMIT (the commit runs, its answer is lost); a ROLLBACK first, and nothing is lost.
     */
    public void loseTheAnswerTo(String text, int occurrence, boolean itsCommit) {
        loseTheAnswerTo(List.of(text), occurrence, itsCommit);
    }

    /** As {@link #loseTheAnswerTo(String, int, boolean)}, for a request holding every one of {@code texts}. */
    public void loseTheAnswerTo(List<String> texts, int occurrence, boolean itsCommit) {
        seen.set(0);
        this.occurrence = occurrence;
        this.itsCommit = itsCommit;
        markers = texts.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** How many answers {@link #loseTheAnswerTo} dropped. */
    public int answersLost() {
        return answersLost.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(upstream);
                AtomicInteger stage = new AtomicInteger(); // 1: the next answer is lost; 2: the next COMMIT's
                java.util.concurrent.atomic.AtomicBoolean hole = new java.util.concurrent.atomic.AtomicBoolean();
                holes.add(hole);
                pump(client, upstream, stage, true, hole);
                pump(upstream, client, stage, false, hole);
            } catch (IOException e) {
                // closed, or the server refused: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicInteger stage, boolean request,
                      java.util.concurrent.atomic.AtomicBoolean hole) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (hole.get()) {
                        continue; // swallowed: neither side hears of the other again, and nothing is closed
                    }
                    if (request) {
                        List<byte[]> m = markers;
                        if (stage.get() == 2) {
                            if (contains(buffer, n, COMMIT)) {
                                stage.set(1);
                            } else if (contains(buffer, n, ROLLBACK)) {
                                stage.set(0);
                            }
                        } else if (m != null && containsAll(buffer, n, m) && seen.incrementAndGet() == occurrence) {
                            markers = null;
                            // set before the request leaves: its answer cannot come first
                            stage.set(itsCommit ? 2 : 1);
                        }
                    } else if (stage.get() == 1) {
                        answersLost.incrementAndGet();
                        return; // the finally block closes both sides
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-cutter-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean containsAll(byte[] buffer, int length, List<byte[]> markers) {
        return markers.stream().allMatch(m -> contains(buffer, length, m));
    }

    private static boolean contains(byte[] buffer, int length, byte[] m) {
        for (int i = 0; i + m.length <= length; i++) {
            if (java.util.Arrays.equals(buffer, i, i + m.length, m, 0, m.length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every connection relayed so far goes silent, both ways, and stays open: what a server that vanished from the
     * network without closing anything looks like (a failover whose old primary's host died: no FIN, no RST). New
     * connections are relayed as before (the new primary at the same address).
     */
    public void blackhole() {
        holes.forEach(h -> h.set(true));
    }

    /** Closes every connection and refuses new ones. */
    public void cut() {
        refusing = true;
        sockets.forEach(TcpCutter::closeQuietly);
        sockets.clear();
    }

    public void restore() {
        refusing = false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
