package io.copytrader.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The kinds of work a sampled stack is counted as, and the per-trade line the bench prints from them. */
class CpuProfileTest {
    private static final String DISPATCH = "[Camel (camel-1) thread #12 - seda://dispatch-orders tid=4242];"
            + "java/lang/Thread.run;io/copytrader/engine/PromptSedaComponent$Consumer.doRun;"
            + "org/apache/camel/component/seda/SedaConsumer.doRun;"
            + "org/apache/camel/component/resilience4j/ResilienceProcessor.process;"
            + "io/copytrader/engine/RouteSteps$1.process;";

    @Test
    void shouldCountAStackByTheFirstKindItContainsWhateverIsBelowIt() {
        // the store's fsync is the store's, though the kernel did it
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/engine/OrderPlacer.prepare;"
                + "io/copytrader/store/GroupCommitWriter.commit;org/sqlite/core/NativeDB._exec;do_fsync_[k]"))
                .isEqualTo("store");
        // a store write waiting for its group commit is the store's, not a wait between stages
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/store/GroupCommitWriter.submitAndWait;"
                + "java/util/concurrent/locks/LockSupport.park;futex_wait_[k]")).isEqualTo("store");
        assertThat(CpuProfile.kindOf(DISPATCH + "org/apache/camel/component/http/HttpProducer.process;"
                + "org/apache/hc/core5/http/impl/io/DefaultBHttpClientConnection.sendRequestEntity;"
                + "java/net/SocketOutputStream.write;tcp_sendmsg_[k]")).isEqualTo("http");
        assertThat(CpuProfile.kindOf("[Camel (camel-1) thread #3 - scheduler://detect-trades tid=7];"
                + "io/copytrader/venue/ApacheVenueHttpClient.execute;java/net/Socket.read")).isEqualTo("http");
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/engine/OrderPlacer.classify;"
                + "io/copytrader/paper/PaperJson.tree;com/fasterxml/jackson/core/json/UTF8StreamJsonParser.nextToken"))
                .isEqualTo("json");
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/engine/PipelineMetrics.latency;java/util/HashMap.get"))
                .isEqualTo("metrics");
        // the bench's stage timeline runs only under the bench: its own kind, whatever it calls
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/engine/StageTimeline.mark;"
                + "java/util/concurrent/ConcurrentHashMap.get")).isEqualTo("bench");
        assertThat(CpuProfile.kindOf("[main tid=1];io/copytrader/bench/Bench.snapshot;"
                + "io/copytrader/bench/VmThreadsCpu.jitNanos;java/nio/file/Files.readString")).isEqualTo("bench");
        assertThat(CpuProfile.kindOf(DISPATCH + "io/micrometer/core/instrument/cumulative/CumulativeCounter.increment"))
                .isEqualTo("metrics");
        assertThat(CpuProfile.kindOf(DISPATCH + "ch/qos/logback/classic/Logger.isDebugEnabled")).isEqualTo("logging");
        // a consumer waiting for the next trade, and a stage waking the next one: the hand-offs
        assertThat(CpuProfile.kindOf("[Camel (camel-1) thread #40 - seda://copy-trade tid=9];"
                + "io/copytrader/engine/QuietBlockingQueue.poll;java/util/concurrent/locks/LockSupport.parkNanos;"
                + "finish_task_switch.isra.0_[k]")).isEqualTo("waits");
    }

    @Test
    void shouldTellCamelsRoutingFromOurDecisionsByTheDeepestOfTheirFrames() {
        assertThat(CpuProfile.kindOf(DISPATCH + "org/apache/camel/processor/Pipeline$PipelineTask.run;"
                + "org/apache/camel/impl/engine/CamelInternalProcessor.process;java/util/concurrent/ConcurrentHashMap.get"))
                .isEqualTo("routing");
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/engine/CopyPlanner.plan;"
                + "io/copytrader/engine/Portfolio.planAndReserve;java/math/BigDecimal.multiply")).isEqualTo("decisions");
        // our code calling back into Camel (a property read) is Camel's
        assertThat(CpuProfile.kindOf(DISPATCH + "io/copytrader/engine/CopyPlanner.plan;"
                + "org/apache/camel/support/AbstractExchange.getProperty;java/util/EnumMap.get")).isEqualTo("routing");
        // the carriers alone (a consumer's loop, the route-step adapter) do not make a stack ours
        assertThat(CpuProfile.kindOf("[x tid=1];java/lang/Thread.run;io/copytrader/engine/PromptSedaComponent$Consumer"
                + ".doRun;io/copytrader/engine/RouteSteps$1.process;java/lang/Object.hashCode")).isEqualTo("other");
    }

    @Test
    void shouldCountTheJvmsOwnThreadsAndLeaveTheRestAsOther() {
        assertThat(CpuProfile.kindOf("[GC Thread#0 tid=12];start_thread;G1EvacuateRegionsTask::work")).isEqualTo("jvm");
        assertThat(CpuProfile.kindOf("[C1 CompilerThre tid=13];start_thread;Compilation::compile")).isEqualTo("jvm");
        assertThat(CpuProfile.kindOf("[bench-load tid=99];java/lang/Thread.run;java/util/ArrayList.add"))
                .isEqualTo("other");
    }

    @Test
    void shouldSumSamplesByKindAndPrintThemAsTheirShareOfTheStepsCpu() {
        String collapsed = DISPATCH + "io/copytrader/store/GroupCommitWriter.commit 30\n"
                + DISPATCH + "org/apache/hc/client5/http/impl/classic/MainClientExec.execute 20\n"
                + DISPATCH + "io/copytrader/store/JdbcTradeStore.recordIntent 10\n"
                + "[GC Thread#1 tid=3];start_thread 40\n"
                + "not a stack line\n\n";
        Map<String, Long> kinds = CpuProfile.byKind(collapsed);
        assertThat(kinds).containsKeys(CpuProfile.KINDS.toArray(String[]::new));
        assertThat(kinds.keySet()).containsExactlyElementsOf(CpuProfile.KINDS);
        assertThat(kinds).containsEntry("store", 40L).containsEntry("http", 20L).containsEntry("jvm", 40L)
                .containsEntry("routing", 0L);

        // 100 samples of a step at 500 us a trade: 40 % is 200 us
        assertThat(CpuProfile.perTrade(kinds, 500)).startsWith("store=200 (40 %) http=100 (20 %) routing=0 (0 %)")
                .contains("jvm=200 (40 %) bench=0 (0 %)").endsWith("other=0 (0 %)");
        Map<String, Long> none = new LinkedHashMap<>(Map.of("store", 0L));
        assertThat(CpuProfile.perTrade(none, 500)).isEqualTo("store=0 (0 %)");
    }
}
