package io.copytrader.engine;

import io.copytrader.venue.ApacheVenueHttpClient;
import io.copytrader.venue.CallDeadlines;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.protocol.HttpContext;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Bounds the venue's answer to an order placement ({@code to: http://exchange} in place-order.camel.yaml), which
 * camel-http reads whole into memory: an answer longer than {@link ApacheVenueHttpClient#MAX_BODY_BYTES} (a broken
 * proxy's, or one that never ends) is an {@link IOException} once that many bytes are read, and its connection is
 * dropped at once rather than read to its end. The order's outcome is then unknown, as after a lost answer: the
 * monitor looks it up, it is never sent again (docs/failure-semantics.md).
 * <p>
 * A gzip answer (the client asks for none, but a server may send one) is decoded here, its decoded length bounded too,
 * so a small compressed answer cannot expand into gigabytes; camel-http then sees a plain answer.
 * <p>
 * The whole call is bounded in time too: the client's timeouts bound each wait for a connection, for the connect and
 * for each read, so an answer sent a byte at a time (each byte within the response timeout) would hold the placing
 * thread, and the order in SUBMITTING, for as long as the server kept sending. A call not ended by its deadline (the
 * wait for a connection, the connect, and three response timeouts: 17 s as shipped) has its connection dropped; the
 * read fails with "no whole answer within ...", and the order's outcome is unknown, looked up by the monitor. The
 * deadlines are {@link CallDeadlines}: one daemon thread, which a call that ends in time does not wake.
 */
public final class OrderAnswerLimit implements HttpClientConfigurer, AutoCloseable {
    /** The name the routes refer to it by ({@code httpClientConfigurer: "#orderAnswerLimit"}). */
    public static final String BEAN = "orderAnswerLimit";

    private final long maxBytes;
    private final Duration deadline;
    private final CallDeadlines deadlines;

    /**
     * @param connectTimeout  the place-order endpoint's connect timeout (also its wait for a pooled connection)
     * @param responseTimeout the place-order endpoint's response timeout (each read's)
     */
    public OrderAnswerLimit(Duration connectTimeout, Duration responseTimeout) {
        this(ApacheVenueHttpClient.MAX_BODY_BYTES, connectTimeout.multipliedBy(2).plus(responseTimeout.multipliedBy(3)));
    }

    OrderAnswerLimit(long maxBytes, Duration deadline) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline must be positive, was " + deadline);
        }
        this.maxBytes = maxBytes;
        this.deadline = deadline;
        this.deadlines = new CallDeadlines("order-answer-deadline", deadline);
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addResponseInterceptorLast(this::bound);
        builder.addExecInterceptorFirst("order-answer-deadline", this::withinDeadline);
    }

    /** The calls whose deadline is still ahead (each call's task is cancelled when its answer has been read). */
    int pendingDeadlines() {
        return deadlines.pending();
    }

    @Override
    public void close() {
        deadlines.close();
    }

    private ClassicHttpResponse withinDeadline(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        Deadline due = new Deadline(scope);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException e) {
            due.cancel();
            throw due.passed() ? due.failure(e) : e;
        } catch (HttpException | RuntimeException e) {
            due.cancel();
            throw e;
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            due.cancel();
        } else {
            response.setEntity(new Timed(entity, due));
        }
        return response;
    }

    /** One call's deadline: when it passes, the call's connection is dropped, which fails the read under way. */
    private final class Deadline {
        private final CallDeadlines.Deadline due;

        Deadline(ExecChain.Scope scope) {
            due = deadlines.start(() -> {
                if (scope.originalRequest instanceof CancellableDependency request) {
                    request.cancel(); // as the client's own abort: the connection is dropped, whatever the call is at
                } else {
                    scope.execRuntime.discardEndpoint();
                }
            });
        }

        void cancel() {
            due.cancel();
        }

        boolean passed() {
            return due.passed();
        }

        IOException failure(IOException cause) {
            return new IOException("no whole answer within " + deadline.toMillis() + " ms (the venue sent it too"
                    + " slowly, or not at all): the connection was dropped", cause);
        }
    }

    /** The answer's body, its deadline cancelled once it has been read to its end, failed, or closed. */
    private static final class Timed extends HttpEntityWrapper {
        private final Deadline due;

        Timed(HttpEntity wrapped, Deadline due) {
            super(wrapped);
            this.due = due;
        }

        @Override
        public InputStream getContent() throws IOException {
            InputStream raw;
            try {
                raw = super.getContent();
            } catch (IOException | RuntimeException e) {
                due.cancel();
                throw e;
            }
            if (raw == null) {
                due.cancel();
                return null;
            }
            return new FilterInputStream(raw) {
                @Override
                public int read() throws IOException {
                    try {
                        int b = super.read();
                        if (b < 0) {
                            due.cancel();
                        }
                        return b;
                    } catch (IOException e) {
                        throw failed(e);
                    }
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        int n = super.read(b, off, len);
                        if (n < 0) {
                            due.cancel();
                        }
                        return n;
                    } catch (IOException e) {
                        throw failed(e);
                    }
                }

                @Override
                public void close() throws IOException {
                    due.cancel();
                    super.close();
                }
            };
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = getContent()) {
                if (in != null) {
                    in.transferTo(out);
                }
            }
        }

        @Override
        public void close() throws IOException {
            due.cancel();
            super.close();
        }

        private IOException failed(IOException e) {
            due.cancel();
            return due.passed() ? due.failure(e) : e;
        }
    }

    private void bound(HttpResponse response, EntityDetails details, HttpContext context) {
        if (response instanceof ClassicHttpResponse classic && classic.getEntity() != null) {
            boolean gzip = response.containsHeader(HttpHeaders.CONTENT_ENCODING)
                    && response.getFirstHeader(HttpHeaders.CONTENT_ENCODING).getValue().toLowerCase(Locale.ROOT)
                    .contains("gzip");
            if (gzip) {
                response.removeHeaders(HttpHeaders.CONTENT_ENCODING);
            }
            classic.setEntity(new Bounded(classic.getEntity(), maxBytes, gzip));
        }
    }

    /** The answer's body, read through at most {@code maxBytes} (decoded from gzip when it was sent so). */
    private static final class Bounded extends HttpEntityWrapper {
        private final long maxBytes;
        private final boolean gzip;

        Bounded(HttpEntity wrapped, long maxBytes, boolean gzip) {
            super(wrapped);
            this.maxBytes = maxBytes;
            this.gzip = gzip;
        }

        @Override
        public long getContentLength() {
            return gzip ? -1 : super.getContentLength();
        }

        @Override
        public String getContentEncoding() {
            return gzip ? null : super.getContentEncoding();
        }

        @Override
        public InputStream getContent() throws IOException {
            InputStream raw = super.getContent();
            if (raw == null) {
                return null;
            }
            long declared = super.getContentLength();
            InputStream limited = new Limited(raw, maxBytes, "", declared > maxBytes ? declared : -1);
            return gzip ? new Limited(new Gunzip(limited), maxBytes, " decoded", -1) : limited;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = getContent()) {
                if (in != null) {
                    in.transferTo(out);
                }
            }
        }
    }

    /**
     * Throws past {@code maxBytes}, on a read: the client's stream around it (its EOF sensor) then drops the connection
     * at once. Thrown anywhere else (or closed here), the answer would be read to its end first, and it may never end.
     */
    private static final class Limited extends FilterInputStream {
        private final long maxBytes;
        private final String what;
        private final long declared;
        private long read;

        /** @param declared the answer's declared length when it is over the bound (refused at the first read), else -1 */
        Limited(InputStream in, long maxBytes, String what, long declared) {
            super(in);
            this.maxBytes = maxBytes;
            this.what = what;
            this.declared = declared;
        }

        @Override
        public int read() throws IOException {
            refuseDeclared();
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            refuseDeclared();
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            int skipped = read(new byte[(int) Math.min(n, 8192)]); // counted like any read
            return Math.max(skipped, 0);
        }

        private void refuseDeclared() throws IOException {
            if (declared >= 0) {
                throw new IOException("the venue's answer of " + declared + " bytes is longer than the " + maxBytes
                        + " read");
            }
        }

        private void counted(int n) throws IOException {
            read += n;
            if (read > maxBytes) {
                throw new IOException("the venue's answer is longer than the " + maxBytes + what + " bytes read");
            }
        }
    }

    /** Decodes gzip from the first read on, so that a bad header is a failed read too (see {@link Limited}). */
    private static final class Gunzip extends InputStream {
        private final InputStream compressed;
        private InputStream decoded;

        Gunzip(InputStream compressed) {
            this.compressed = compressed;
        }

        private InputStream decoded() throws IOException {
            if (decoded == null) {
                decoded = new GZIPInputStream(compressed);
            }
            return decoded;
        }

        @Override
        public int read() throws IOException {
            return decoded().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return decoded().read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            compressed.close();
        }
    }
}
