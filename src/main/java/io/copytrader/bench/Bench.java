package io.copytrader.bench;

import io.copytrader.cli.RunCommand;
import io.copytrader.config.CopyTraderSettings;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.StageTimeline;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.paper.FaultTarget;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.paper.VenueStats;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.main.Main;

import java.io.PrintStream;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The end-to-end benchmark behind {@code copytrader.jar bench}: a paper venue in its own process whose target trader
 * emits fills open-loop at a fixed rate on the venue's clock, the real engine (routes/ and application.properties,
 * a plain Camel Main, as {@code run} starts it) copying them, and HdrHistogram over the engine's own
 * detection-to-accepted latency. In the same run it measures the ceiling: the engine's HTTP endpoint posting orders to
 * the same venue as fast as it can from CONCURRENT_TRADES threads. Without a rate it steps the rate up and reports
 * the highest one sustained (no overflow, p99 under the bound, the offered load kept up with).
 */
public final class Bench {
    /**
     * The venue's JVM: G1 kept to short pauses. The paper venue keeps its last 100,000 orders, so at 1,000/s every
     * order lives about 100 s; with G1's defaults the young generation grew to hundreds of MB and each collection
     * copied tens of MB of those orders, 50-113 ms every 30 s in a five-minute run. The venue answered nothing
     * meanwhile, its feed's next page came as one burst, and each copy-queue drop after the run's first seconds came
     * just after such a pause (README "Results (session 45)"). A real venue's pauses are its own; the bench sweeps
     * venue latency on purpose ({@code --venue-latency-ms}, {@code --sweep-latencies-ms}).
     */
    static final List<String> VENUE_JVM = List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10",
            "-XX:MaxTenuringThreshold=1");

    /** The venue's target trader the engine follows. */
    static final String TRADER = "bench";
    private static final double NS_PER_MS = 1e6;
    /** Requests the lean ceiling's client keeps in flight. */
    static final int LEAN_IN_FLIGHT = 16;

    /**
     * @param rate           offered trades/s; null finds the highest sustainable rate
     * @param durationS      measured seconds per step (null: 20 at a fixed rate, 5 per step when searching)
     * @param warmupS        unmeasured seconds before each step (null: 5 at a fixed rate, 2 per step when searching)
     * @param venueLatencyMs latency the venue adds to every order placement (a LATENCY fault), 0 for none
     * @param cooldownMs     TRADE_COOLDOWN_MS for the run
     * @param p99BoundMs     the p99 a sustainable rate must stay under
     * @param sweepLatenciesMs venue latencies to measure, in this order, at the reported rate after the main
     *                         measurement (empty: no sweep); the first is the reference the others are divided by
     * @param prewarmS       unmeasured seconds of the whole pipeline at a moderate rate before anything is measured, so
     *                       the JIT compiler's first minute is not judged as the engine's (null: 20 when searching,
     *                       else the warm-up, 1 to 3)
     * @param instruments    instruments the bench's trader trades (null: the venue's default, 20); one order per
     *                       instrument is out at a time, so at a venue latency L at most about N / L copies per second
     */
    public record Options(Double rate, Integer durationS, Integer warmupS, long venueLatencyMs, long cooldownMs,
                          double p99BoundMs, List<Long> sweepLatenciesMs, Integer prewarmS, Integer instruments,
                          String profilePrefix) {
        /** The default sweep: a VPS near the venue sees 20-100 ms. */
        public static final List<Long> DEFAULT_SWEEP = List.of(0L, 20L, 50L, 100L);

        public Options {
            sweepLatenciesMs = List.copyOf(sweepLatenciesMs);
        }

        int duration() {
            return durationS != null ? durationS : rate != null ? 20 : 5;
        }

        int warmup() {
            return warmupS != null ? warmupS : rate != null ? 5 : 2;
        }

        int prewarm() {
            return prewarmS != null ? prewarmS : rate == null ? 20 : Math.min(3, Math.max(1, warmup()));
        }
    }

    /** One measured step at one offered rate. Latencies in ms. */
    public record Step(double targetRate, double offered, double throughput, Histogram latencyUs, long overflows,
                       long skipped, long failed, double engineCpuUsPerTrade, double venueCpuUsPerTrade, long gcPauseMs,
                       double jitCpuUsPerTrade, double gcCpuUsPerTrade, boolean sustained) {
        /** The engine's CPU per copied trade without its JIT compiler threads (warm-up, not per-trade work). */
        double engineCpuUsPerTradeWithoutJit() {
            return engineCpuUsPerTrade - jitCpuUsPerTrade;
        }

        double ms(double percentile) {
            return latencyUs.getTotalCount() == 0 ? Double.NaN : latencyUs.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMs() {
            return latencyUs.getTotalCount() == 0 ? Double.NaN : latencyUs.getMaxValue() / 1000.0;
        }
    }

    /** One step of the latency sweep: the venue's added latency and what was measured under it. */
    public record SweepPoint(long venueLatencyMs, Step step) {
    }

    /**
     * The outcome: the reported step, the ceilings, the latency sweep, memory. {@link #line()} is the machine-readable
     * last line.
     */
    public record Result(Step reported, double ceiling, double leanCeiling, long heapMb, long gcPauseMsTotal,
                         List<Step> steps, List<SweepPoint> sweep, String store, Floor.Figures floor) {
        public double ratio() {
            return ceiling > 0 ? reported.throughput() / ceiling : 0;
        }

        public double leanRatio() {
            return leanCeiling > 0 ? reported.throughput() / leanCeiling : 0;
        }

        /** Throughput with the venue adding {@code latencyMs}, over throughput at the sweep's first latency; NaN if not swept. */
        public double sweepRatio(long latencyMs) {
            if (sweep.isEmpty()) {
                return Double.NaN;
            }
            double reference = sweep.get(0).step().throughput();
            return sweep.stream().filter(p -> p.venueLatencyMs() == latencyMs).findFirst()
                    .map(p -> reference > 0 ? p.step().throughput() / reference : 0.0).orElse(Double.NaN);
        }

        public String line() {
            double rtt50 = sweepRatio(50);
            return String.format(Locale.ROOT, "bench: rate=%.0f/s throughput=%.0f/s p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
                            + "max_ms=%.3f ceiling=%.0f/s ratio=%.2f lean_ceiling=%.0f/s lean_ratio=%.2f rtt50_ratio=%s "
                            + "overflows=%d heap_mb=%d floor_us=%.0f cpu_us=%.0f",
                    reported.offered(), reported.throughput(), reported.ms(50), reported.ms(99), reported.ms(99.9),
                    reported.maxMs(), ceiling, ratio(), leanCeiling, leanRatio(),
                    Double.isNaN(rtt50) ? "na" : String.format(Locale.ROOT, "%.2f", rtt50), reported.overflows(), heapMb,
                    floor.sum(), reported.engineCpuUsPerTrade());
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Recorder recorder = new Recorder(3);

    private VenueProcess venue;
    private PaperVenueAdmin admin;
    private Main main;
    private MeterRegistry meters;
    private TradeStore store;
    private StageTimeline timeline;
    private Path benchStore;
    private CopyTraderSettings settings;
    /** The engine's CPU per request while the ceiling was measured: the order's POST in the floor. */
    private double ceilingCpuUsPerRequest;
    /** Steps sampled so far (--profile): numbers each step's stacks file. */
    private int profiledSteps;
    /** The profiler could not start before the first step (said once): the steps are not sampled. */
    private boolean profileUnavailable;

    public Bench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public Result run() throws Exception {
        List<Step> steps = new ArrayList<>();
        List<SweepPoint> sweep = new ArrayList<>();
        double ceiling;
        double leanCeiling;
        Floor.Figures floor;
        long heapMb;
        long gcTotal;
        String storeUrl;
        try {
            startVenue();
            startEngine();
            storeUrl = settings.storeUrl();
            venueLatency(options.venueLatencyMs());
            out.printf(Locale.ROOT, "bench: venue %s, engine up (store %s, %d consumers, queue %d, poll %d ms, page %d, "
                            + "cooldown %d ms, venue latency %d ms, %d instruments); %d cores, load average %.1f, JIT %s%n",
                    venue.baseUrl(), storeUrl, settings.concurrentTrades(), settings.queueSize(), settings.pollIntervalMs(),
                    settings.feedPageSize(), settings.cooldownMs(), options.venueLatencyMs(),
                    options.instruments() == null ? PaperVenueConfig.DEFAULT_INSTRUMENTS : options.instruments(),
                    Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:TieredStopAtLevel=1")
                            ? "C1 only (as java -jar runs the engine)" : "this JVM's default (tiered, C2)");
            if (options.profilePrefix() != null) {
                try {
                    CpuProfile.prepare(); // loaded now, not in the first measured step
                } catch (IllegalStateException e) {
                    out.println("bench: profile: none: " + e.getMessage());
                    profileUnavailable = true;
                }
            }
            long gc0 = gcMillis();
            // JIT and connection warm-up: the whole pipeline at a moderate rate, unmeasured
            int prewarm = options.prewarm();
            admin.setRate(TRADER, options.rate() == null ? 500 : Math.min(1000, Math.max(options.rate(), 200)));
            pause(prewarm * 1000L);
            admin.setRate(TRADER, 0);
            drain();
            ceiling = ceiling(Math.min(options.warmup(), 2), Math.min(options.duration(), 5));
            out.printf(Locale.ROOT, "bench: ceiling %.0f orders/s (%d threads, the engine's HTTP endpoint, no pipeline)%n",
                    ceiling, settings.concurrentTrades());
            leanCeiling = leanCeiling(Math.min(options.warmup(), 2), Math.min(options.duration(), 5));
            out.printf(Locale.ROOT, "bench: lean ceiling %.0f orders/s (Vert.x HttpClient, one event loop, %d in flight, "
                    + "keep-alive, no Camel)%n", leanCeiling, LEAN_IN_FLIGHT);
            floor = floor(storeUrl);
            if (options.rate() != null) {
                steps.add(step(options.rate()));
            } else {
                search(steps);
            }
            if (!options.sweepLatenciesMs().isEmpty()) {
                double sweepRate = reportedOf(steps).targetRate();
                for (long latencyMs : options.sweepLatenciesMs()) {
                    venueLatency(latencyMs);
                    out.printf(Locale.ROOT, "bench: sweep venue latency %d ms at %.0f/s%n", latencyMs, sweepRate);
                    sweep.add(new SweepPoint(latencyMs, step(sweepRate)));
                }
                venueLatency(options.venueLatencyMs());
                printSweep(sweep, sweepRate);
            }
            Step reported = reportedOf(steps);
            out.printf(Locale.ROOT, "bench: the reported step's engine CPU per copied trade, %.0f us, is %.1f times the "
                    + "floor (%.0f us)%n", reported.engineCpuUsPerTrade(), reported.engineCpuUsPerTrade() / floor.sum(),
                    floor.sum());
            System.gc();
            heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
            gcTotal = gcMillis() - gc0;
        } finally {
            close();
        }
        return new Result(reportedOf(steps), ceiling, leanCeiling, heapMb, gcTotal, steps, sweep, storeUrl, floor);
    }

    /** At a fixed rate its step; when searching, the highest sustained rate (or the first step if none was). */
    private Step reportedOf(List<Step> steps) {
        return options.rate() != null ? steps.get(0)
                : steps.stream().filter(Step::sustained).reduce((a, b) -> b.targetRate() > a.targetRate() ? b : a)
                        .orElse(steps.get(0));
    }

    /** Starts sampling the step when asked to (--profile); null when not asked or when no profile can be taken here. */
    private CpuProfile startProfile(double rate) {
        if (options.profilePrefix() == null || profileUnavailable) {
            return null;
        }
        profiledSteps++;
        Path file = Path.of(String.format(Locale.ROOT, "%s-%d-%.0f.collapsed", options.profilePrefix(), profiledSteps,
                rate));
        try {
            return CpuProfile.start(file);
        } catch (IllegalStateException e) {
            out.println("bench: profile: none for this step: " + e.getMessage());
            return null;
        }
    }

    /** The step's samples by kind; null when it was not sampled or its stacks could not be written. */
    private Map<String, Long> stopProfile(CpuProfile profile) {
        if (profile == null) {
            return null;
        }
        try (profile) {
            return profile.stop();
        } catch (IOException | RuntimeException e) {
            out.println("bench: profile: the step's samples were lost: " + e.getMessage());
            return null;
        }
    }

    /** Sets the latency the venue adds to every order placement (none for 0), replacing any set before. */
    private void venueLatency(long latencyMs) {
        admin.clearFaults();
        if (latencyMs > 0) {
            admin.injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).onTarget(FaultTarget.ORDERS)
                    .withLatency(latencyMs, latencyMs));
        }
    }

    private void printSweep(List<SweepPoint> sweep, double rate) {
        double reference = sweep.get(0).step().throughput();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "bench: latency sweep at %.0f/s offered:", rate));
        for (SweepPoint p : sweep) {
            line.append(String.format(Locale.ROOT, " %d ms %.0f/s (%.2f, %d overflows, p99 %.1f ms);", p.venueLatencyMs(),
                    p.step().throughput(), reference > 0 ? p.step().throughput() / reference : 0.0, p.step().overflows(),
                    p.step().ms(99)));
        }
        out.println(line.substring(0, line.length() - 1));
    }

    /**
     * 100/s (the latency reference), then 500 and doubling from 1000 until a rate is not sustained (twice in a row),
     * then two bisections.
     */
    private void search(List<Step> steps) {
        double[] passFail = {0, 0};
        java.util.function.DoubleConsumer measure = rate -> {
            Step s = step(rate);
            steps.add(s);
            if (!s.sustained()) {
                // one retry: on a machine shared with other work a single stall can sink a step
                s = step(rate);
                steps.add(s);
            }
            if (s.sustained()) {
                passFail[0] = Math.max(passFail[0], rate);
            } else if (passFail[1] == 0 || rate < passFail[1]) {
                passFail[1] = rate;
            }
        };
        steps.add(step(100)); // the latency reference point; the search starts above it
        for (double rate = 500; passFail[1] == 0 && rate <= 64_000; rate = rate == 500 ? 1000 : rate * 2) {
            measure.accept(rate);
        }
        for (int i = 0; i < 2 && passFail[1] > 0 && passFail[1] - passFail[0] > 100; i++) {
            measure.accept(Math.round((passFail[0] + passFail[1]) / 2 / 50) * 50.0);
        }
    }

    private Step step(double rate) {
        admin.setRate(TRADER, rate);
        pause(options.warmup() * 1000L);
        Snapshot a = snapshot();
        recorder.getIntervalHistogram(); // discard the warm-up
        StageBreakdown stages = new StageBreakdown();
        timeline.listen(stages);
        CpuProfile profile = startProfile(rate);
        pause(options.duration() * 1000L);
        Snapshot b = snapshot();
        Map<String, Long> profiled = stopProfile(profile);
        Histogram latency = recorder.getIntervalHistogram();
        timeline.listen(null);
        admin.setRate(TRADER, 0);
        double seconds = (b.nanos - a.nanos) / 1e9;
        double offered = (b.emitted - a.emitted) / seconds;
        long copied = b.copied - a.copied;
        double throughput = copied / seconds;
        long overflows = b.overflows - a.overflows;
        long skipped = b.skipped - a.skipped;
        long failed = b.failed - a.failed;
        long joined = b.joined - a.joined;
        double perTrade = Math.max(1, copied);
        boolean keptUp = (copied + skipped + failed) >= 0.9 * (b.emitted - a.emitted);
        boolean sustained = overflows == 0 && keptUp && latency.getTotalCount() > 0
                && latency.getValueAtPercentile(99) / 1000.0 <= options.p99BoundMs();
        Step step = new Step(rate, offered, throughput, latency, overflows, skipped, failed,
                (b.engineCpu - a.engineCpu) / 1000.0 / perTrade, (b.venueCpu - a.venueCpu) / 1000.0 / perTrade,
                // a compiler or collector thread that ended takes its CPU with it: never below 0
                b.gcMillis - a.gcMillis, Math.max(0, b.jitCpu - a.jitCpu) / 1000.0 / perTrade,
                Math.max(0, b.gcCpu - a.gcCpu) / 1000.0 / perTrade, sustained);
        out.printf(Locale.ROOT, "bench: step rate=%.0f/s offered=%.0f/s copied=%.0f/s skipped=%d failed=%d overflows=%d "
                        + "joined=%d latency_ms p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f (n=%d) cpu_us/trade engine=%.0f "
                        + "(jit=%.0f gc=%.0f, without jit=%.0f) venue=%.0f gc_ms=%d %s%n",
                rate, offered, throughput, skipped, failed, overflows, joined, step.ms(50), step.ms(90), step.ms(99),
                step.ms(99.9), step.maxMs(), latency.getTotalCount(), step.engineCpuUsPerTrade(),
                step.jitCpuUsPerTrade(), step.gcCpuUsPerTrade(), step.engineCpuUsPerTradeWithoutJit(),
                step.venueCpuUsPerTrade(), step.gcPauseMs(), sustained ? "sustained" : "NOT sustained");
        out.printf(Locale.ROOT, "bench: step rate=%.0f/s cpu_us/trade by thread: %s%n", rate,
                StageThreadsCpu.perTrade(a.stageCpu, b.stageCpu, perTrade));
        out.printf(Locale.ROOT, "bench: step rate=%.0f/s alloc_kb/trade by thread: %s (collections=%d)%n", rate,
                StageThreadsCpu.kilobytesPerTrade(a.stageAllocated, b.stageAllocated, perTrade),
                b.collections - a.collections);
        if (profiled != null) {
            out.printf(Locale.ROOT, "bench: step rate=%.0f/s cpu_us/trade by kind (async-profiler, %d samples, one every "
                            + "%d ms of CPU; stacks in %s): %s%n", rate,
                    profiled.values().stream().mapToLong(Long::longValue).sum(), CpuProfile.INTERVAL_MS, profile.file(),
                    CpuProfile.perTrade(profiled, step.engineCpuUsPerTrade()));
        }
        // where the time went: each stage's median and p99, and where the slowest 1 % were slowest
        out.println(stages.lines(rate, latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99)));
        drain();
        return step;
    }

    /**
     * The same camel-http endpoint the submit-order route uses, posting orders to the same venue from
     * CONCURRENT_TRADES threads back to back: what the pipeline could reach if detection, Camel routing, sizing,
     * JSON and the store cost nothing.
     */
    private double ceiling(int warmupS, int measureS) throws Exception {
        CamelContext context = main.getCamelContext();
        Endpoint http = context.getEndpoints().stream().filter(e -> e.getEndpointUri().startsWith("http://exchange"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no http://exchange endpoint in the routes"));
        String url = venue.baseUrl() + "/exchange/orders";
        int threads = settings.concurrentTrades();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        AtomicLong ids = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long measureFrom = System.nanoTime() + warmupS * 1_000_000_000L;
        long end = measureFrom + measureS * 1_000_000_000L;
        List<Future<?>> callers = new ArrayList<>();
        long[] cpuAtStart = new long[2];
        pool.submit(() -> {
            pause(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
            cpuAtStart[0] = engineCpuNanos();
            cpuAtStart[1] = venue.cpuNanos();
        });
        try (ProducerTemplate template = context.createProducerTemplate()) {
            for (int i = 0; i < threads; i++) {
                callers.add(pool.submit(() -> {
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        String body = "{\"clientOrderId\":\"ceiling-" + ids.incrementAndGet()
                                + "\",\"instrument\":\"tok-1\",\"side\":\"BUY\",\"price\":0.5,\"quantity\":1}";
                        Exchange reply = template.send(http, ex -> {
                            ex.getMessage().setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
                            ex.getMessage().setHeader(Exchange.HTTP_URI, url);
                            ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                            ex.getMessage().setBody(body);
                        });
                        Integer code = reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
                        reply.getMessage().getBody(String.class);
                        if (reply.getException() != null || code == null || code != 200) {
                            errors.incrementAndGet();
                        } else if (now >= measureFrom) {
                            counted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> caller : callers) {
                caller.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (errors.get() > 0) {
            out.printf("bench: ceiling saw %d failed requests%n", errors.get());
        }
        double perRequest = Math.max(1, counted.get()) * 1000.0;
        ceilingCpuUsPerRequest = (engineCpuNanos() - cpuAtStart[0]) / perRequest;
        out.printf(Locale.ROOT, "bench: ceiling cpu_us/request engine=%.0f venue=%.0f%n",
                ceilingCpuUsPerRequest, (venue.cpuNanos() - cpuAtStart[1]) / perRequest);
        return counted.get() / (double) measureS;
    }

    /**
     * The floor under the engine's CPU per copied trade (see {@link Floor}): the store's writes on a SQLite file of
     * their own beside the bench's store (not measured when the store is not SQLite: a PostgreSQL database of the
     * user's gets no floor rows), a hand-off, and the ceiling's POST.
     */
    private Floor.Figures floor(String storeUrl) throws Exception {
        double storeUs = Double.NaN;
        if (storeUrl.startsWith(SQLITE)) {
            try {
                Path parent = sqliteFolder(storeUrl);
                if (parent == null || !Files.isDirectory(parent)) {
                    throw new IOException("no folder of the store's file in its URL");
                }
                storeUs = Floor.store(parent, StoreSettings.SqliteSync.valueOf(settings.storeSqliteSync()),
                        settings.concurrentTrades(), 500, 2_000).cpuUsPerTrade();
            } catch (IOException | RuntimeException e) {
                // the floor's store is a measurement of its own: the bench goes on without it (store=na)
                out.println("bench: floor: the store was not measured: " + e.getMessage());
            }
        }
        Floor.Figures figures = new Floor.Figures(storeUs, ceilingCpuUsPerRequest, Floor.handoff(20_000).cpuUs());
        out.println(figures.line(settings.concurrentTrades(), settings.storeSqliteSync()));
        return figures;
    }

    private static final String SQLITE = "jdbc:sqlite:";

    /** The folder of a SQLite store's file (its URL's query left out); null for any other store. */
    static Path sqliteFolder(String storeUrl) {
        if (!storeUrl.startsWith(SQLITE)) {
            return null;
        }
        String file = storeUrl.substring(SQLITE.length());
        int query = file.indexOf('?');
        return Path.of(query < 0 ? file : file.substring(0, query)).toAbsolutePath().getParent();
    }

    /**
     * The venue driven by a minimal client: Vert.x's HttpClient on one event loop posting the same orders, each answer
     * sending the next, {@link #LEAN_IN_FLIGHT} in flight over keep-alive connections, no Camel. What the venue and
     * loopback allow when the client costs next to nothing; the engine's throughput over it says what the engine costs.
     */
    private double leanCeiling(int warmupS, int measureS) throws Exception {
        URI base = URI.create(venue.baseUrl());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        AtomicLong counted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong ids = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(LEAN_IN_FLIGHT);
        long[] cpuAtStart = new long[2];
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                    .setMaxPoolSize(LEAN_IN_FLIGHT).setDefaultHost(base.getHost()).setDefaultPort(base.getPort()));
            // one answer in hand first (classes loaded, a connection open), so the warm-up is spent warming up
            client.request(HttpMethod.POST, "/exchange/orders")
                    .compose(request -> request.putHeader("Content-Type", "application/json").send(
                            "{\"clientOrderId\":\"lean-0\",\"instrument\":\"tok-1\",\"side\":\"BUY\",\"price\":0.5,\"quantity\":1}"))
                    .compose(response -> response.body()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            long measureFrom = System.nanoTime() + warmupS * 1_000_000_000L;
            long end = measureFrom + measureS * 1_000_000_000L;
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (System.nanoTime() >= end) {
                    finished.countDown();
                    return;
                }
                String body = "{\"clientOrderId\":\"lean-" + ids.incrementAndGet()
                        + "\",\"instrument\":\"tok-1\",\"side\":\"BUY\",\"price\":0.5,\"quantity\":1}";
                client.request(HttpMethod.POST, "/exchange/orders")
                        .compose(request -> request.putHeader("Content-Type", "application/json").send(body))
                        .compose(response -> response.body().map(ignored -> response.statusCode()))
                        .onComplete(answer -> {
                            long now = System.nanoTime();
                            if (answer.failed() || answer.result() != 200) {
                                errors.incrementAndGet();
                            } else if (now >= measureFrom && now < end) {
                                counted.incrementAndGet();
                            }
                            next[0].run();
                        });
            };
            vertx.setTimer(Math.max(1, (measureFrom - System.nanoTime()) / 1_000_000), id -> {
                cpuAtStart[0] = engineCpuNanos();
                cpuAtStart[1] = venue.cpuNanos();
            });
            for (int i = 0; i < LEAN_IN_FLIGHT; i++) {
                vertx.runOnContext(v -> next[0].run());
            }
            if (!finished.await(warmupS + measureS + 30L, TimeUnit.SECONDS)) {
                out.println("bench: lean ceiling requests still unanswered 30 s after the end");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (errors.get() > 0) {
            out.printf("bench: lean ceiling saw %d failed requests%n", errors.get());
        }
        double perRequest = Math.max(1, counted.get()) * 1000.0;
        out.printf(Locale.ROOT, "bench: lean ceiling cpu_us/request client=%.0f venue=%.0f%n",
                (engineCpuNanos() - cpuAtStart[0]) / perRequest, (venue.cpuNanos() - cpuAtStart[1]) / perRequest);
        return counted.get() / (double) measureS;
    }

    private void startVenue() throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--seed", "42",
                "--trader", TRADER + "=0", "--cash", "1000000000000", "--fill-model", "IMMEDIATE"));
        if (options.instruments() != null) {
            args.addAll(List.of("--instruments", String.valueOf(options.instruments())));
        }
        venue = VenueProcess.start(VENUE_JVM, args);
        admin = new PaperVenueAdmin(venue.baseUrl());
    }

    /**
     * The engine as {@code run} starts it, with settings that let every trade through (stated in the README):
     * COPY_RATIO 1, no minimum sizes, caps far above what the run can reach, a 10 ms poll of up to 1000 fills.
     * An environment variable of the same setting wins over these defaults; the cooldown comes from the option.
     */
    private void startEngine() throws Exception {
        main = new Main();
        main.setPropertyPlaceholderLocations(RunCommand.PROPERTY_LOCATIONS);
        Map<String, String[]> defaults = new LinkedHashMap<>();
        defaults.put("copytrader.feed.poll-interval-ms", new String[] {"POLL_INTERVAL_MS", "10"});
        defaults.put("copytrader.feed.page-size", new String[] {"FEED_PAGE_SIZE", "1000"});
        defaults.put("copytrader.filter.min-trade-size-usd", new String[] {"MIN_TRADE_SIZE_USD", "0"});
        defaults.put("copytrader.copy.min-order-size-usd", new String[] {"MIN_ORDER_SIZE_USD", "0"});
        defaults.put("copytrader.copy.ratio", new String[] {"COPY_RATIO", "1"});
        defaults.put("copytrader.copy.max-position-size-usd", new String[] {"MAX_POSITION_SIZE_USD", "1000000000"});
        defaults.put("copytrader.copy.max-portfolio-exposure", new String[] {"MAX_PORTFOLIO_EXPOSURE", "1"});
        defaults.forEach((key, envAndValue) -> {
            if (System.getenv(envAndValue[0]) == null) {
                main.addOverrideProperty(key, envAndValue[1]);
            }
        });
        if (System.getenv("STORE_URL") == null) {
            // persistence on, as in production, but in a file of its own: never the user's data/copytrader.db
            benchStore = Files.createTempFile("copytrader-bench-", ".db");
            main.addOverrideProperty("copytrader.store.url", "jdbc:sqlite:" + benchStore);
        }
        main.addOverrideProperty("copytrader.paper.url", venue.baseUrl());
        main.addOverrideProperty("copytrader.feed.traders", TRADER);
        main.addOverrideProperty("copytrader.copy.cooldown-ms", Long.toString(options.cooldownMs()));
        main.addOverrideProperty("copytrader.shutdown.timeout-seconds", "10");
        // no management HTTP server: its fixed port would clash with an engine already running on this machine
        main.addOverrideProperty("camel.management.enabled", "false");
        main.start();
        CamelContext context = main.getCamelContext();
        if (context == null || !context.isStarted()) {
            throw new IllegalStateException("the engine did not start");
        }
        meters = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        store = context.getRegistry().lookupByNameAndType("tradeStore", TradeStore.class);
        settings = context.getRegistry().lookupByNameAndType("copyTraderSettings", CopyTraderSettings.class);
        PipelineMetrics metrics = context.getRegistry().lookupByNameAndType("pipelineMetrics", PipelineMetrics.class);
        metrics.latencyListener(nanos -> recorder.recordValue(Math.max(1, nanos / 1000)));
        timeline = metrics.timeline();
    }

    private void close() {
        try {
            if (main != null) {
                main.stop();
            }
        } finally {
            if (venue != null) {
                venue.close();
            }
            deleteBenchStore();
        }
    }

    private void deleteBenchStore() {
        if (benchStore == null) {
            return;
        }
        Floor.deleteSqliteFiles(benchStore).forEach(failure -> out.println("bench: could not delete " + failure));
    }

    /** Waits (up to 60 s) until the engine read everything emitted and every admitted trade has its outcome. */
    private void drain() {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            long emitted = traderEmitted(admin.stats());
            if (count(PipelineMetrics.TRADES_DETECTED) + count(PipelineMetrics.ROWS_REJECTED) >= emitted
                    && gauge(PipelineMetrics.QUEUE_LENGTH) == 0 && gauge(PipelineMetrics.TRADES_PROCESSING) == 0
                    && store.inFlightCount() == 0) {
                return;
            }
            pause(50);
        }
        out.println("bench: the engine did not drain within 60 s; figures after this point are suspect");
    }

    private record Snapshot(long nanos, long emitted, long copied, long skipped, long failed, long overflows,
                            long joined, long engineCpu, long venueCpu, long gcMillis, long jitCpu, long gcCpu,
                            Map<String, Long> stageCpu, Map<String, Long> stageAllocated, long collections) {
    }

    private Snapshot snapshot() {
        long emitted = traderEmitted(admin.stats());
        long cpu = engineCpuNanos();
        return new Snapshot(System.nanoTime(), emitted, count(PipelineMetrics.TRADES_PROCESSED),
                count(PipelineMetrics.TRADES_SKIPPED), count(PipelineMetrics.TRADES_FAILED),
                count(PipelineMetrics.QUEUE_OVERFLOWS), count(PipelineMetrics.QUEUE_JOINED), cpu, venue.cpuNanos(), gcMillis(),
                VmThreadsCpu.jitNanos(), VmThreadsCpu.gcNanos(), StageThreadsCpu.snapshot(),
                StageThreadsCpu.allocatedSnapshot(), gcCount());
    }

    private static long engineCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long traderEmitted(VenueStats stats) {
        VenueStats.TraderStats t = stats.traders().get(TRADER);
        return t == null ? 0 : t.emitted();
    }

    private long count(String name) {
        return (long) meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private double gauge(String name) {
        Gauge g = meters.find(name).gauge();
        return g == null ? 0 : g.value();
    }

    private static long gcCount() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionCount());
        }
        return total;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Pacing of the bench's own schedule (not synchronisation): the venue emits on its own clock meanwhile. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench interrupted", e);
        }
    }
}
