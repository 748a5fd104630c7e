package io.copytrader.paper;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FillModel, LatencyModel and FaultModel: seeded, so the same seed replays the same sequence. */
class SeededModelsTest {
    private static <T> List<T> take(int n, Supplier<T> next) {
        List<T> list = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> list.add(next.get()));
        return list;
    }

    @Test
    void shouldReplayTheSameFillPlansForTheSameSeed() {
        List<FillPlan> a = take(500, new SeededFillModel(9, FillModelSettings.DEFAULT)::plan);
        List<FillPlan> b = take(500, new SeededFillModel(9, FillModelSettings.DEFAULT)::plan);
        List<FillPlan> c = take(500, new SeededFillModel(10, FillModelSettings.DEFAULT)::plan);

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void shouldChooseFillKindsByTheirProbabilitiesWithinTheDelayRange() {
        FillModelSettings settings = new FillModelSettings(0.25, 0.25, 0.25, 0.25, Duration.ofMillis(100), Duration.ofMillis(200));
        List<FillPlan> plans = take(4000, new SeededFillModel(1, settings)::plan);

        for (FillPlan.Kind kind : FillPlan.Kind.values()) {
            assertThat(plans.stream().filter(p -> p.kind() == kind).count()).as(kind.name()).isBetween(850L, 1150L);
        }
        assertThat(plans).filteredOn(p -> p.kind() == FillPlan.Kind.PARTIAL_THEN_REST).allSatisfy(p -> {
            assertThat(p.firstFraction()).isBetween(new java.math.BigDecimal("0.10"), new java.math.BigDecimal("0.90"));
            assertThat(p.delay()).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        });
    }

    @Test
    void shouldRefuseFillProbabilitiesThatDoNotAddUpToOne() {
        assertThatThrownBy(() -> new FillModelSettings(0.5, 0.5, 0.5, 0, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("must add up to 1, but add up to 1.5");
    }

    @Test
    void shouldReplayTheSameLatenciesForTheSameSeedWithinTheRange() {
        List<Duration> a = take(200, new UniformLatencyModel(3, 5, 50)::next);
        List<Duration> b = take(200, new UniformLatencyModel(3, 5, 50)::next);

        assertThat(a).isEqualTo(b).allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(5), Duration.ofMillis(50)));
        assertThat(a).contains(Duration.ofMillis(5), Duration.ofMillis(50));
    }

    @Test
    void shouldReplayTheSameFaultDecisionsForTheSameSeed() {
        assertThat(faultSequence(11)).isEqualTo(faultSequence(11)).isNotEqualTo(faultSequence(12));
    }

    private static List<FaultDecision> faultSequence(long seed) {
        FaultModel model = new FaultModel(seed);
        model.inject(FaultSpec.withProbability(FaultKind.LATENCY, 0.5).withLatency(1, 100));
        model.inject(FaultSpec.withProbability(FaultKind.HTTP_5XX, 0.3));
        model.inject(FaultSpec.withProbability(FaultKind.TIMEOUT, 0.1));
        return take(300, () -> model.onRequest(FaultTarget.Request.PLACE_ORDER));
    }

    @Test
    void shouldHitExactlyTheBurstThenClearItself() {
        FaultModel model = new FaultModel(1);
        model.inject(FaultSpec.burst(FaultKind.HTTP_5XX, 3));

        List<FaultKind> outcomes = take(5, () -> model.onRequest(FaultTarget.Request.PLACE_ORDER).outcome());

        assertThat(outcomes).containsExactly(FaultKind.HTTP_5XX, FaultKind.HTTP_5XX, FaultKind.HTTP_5XX, null, null);
        assertThat(model.firedCounts()).containsEntry(FaultKind.HTTP_5XX, 3L);
    }

    @Test
    void shouldHitOnlyTheTargetedRequests() {
        FaultModel model = new FaultModel(1);
        model.inject(FaultSpec.withProbability(FaultKind.HTTP_5XX, 1.0));
        model.inject(FaultSpec.withProbability(FaultKind.FEED_OUTAGE, 1.0));

        assertThat(model.onRequest(FaultTarget.Request.PLACE_ORDER).outcome()).isEqualTo(FaultKind.HTTP_5XX);
        assertThat(model.onRequest(FaultTarget.Request.EXCHANGE).isNone()).isTrue();
        assertThat(model.onRequest(FaultTarget.Request.FEED).outcome()).isEqualTo(FaultKind.FEED_OUTAGE);

        model.clear();
        assertThat(model.onRequest(FaultTarget.Request.PLACE_ORDER)).isEqualTo(FaultDecision.NONE);
    }

    @Test
    void shouldSpoilFeedRowsOnlyWhileAMalformedRowFaultIsActive() {
        FaultModel model = new FaultModel(5);
        assertThat(model.onFeedRow()).isEmpty();

        model.inject(FaultSpec.burst(FaultKind.MALFORMED_ROW, 2).withVariant(MalformedVariant.ZERO_QUANTITY));

        assertThat(take(3, model::onFeedRow)).containsExactly(Optional.of(MalformedVariant.ZERO_QUANTITY),
                Optional.of(MalformedVariant.ZERO_QUANTITY), Optional.empty());
        assertThat(model.onRequest(FaultTarget.Request.FEED)).isEqualTo(FaultDecision.NONE);
    }

    @Test
    void shouldRefuseAFaultWithBothOrNeitherProbabilityAndBurst() {
        assertThatThrownBy(() -> new FaultSpec(FaultKind.TIMEOUT, 0.5, 3, null, null, null, null))
                .hasMessageContaining("needs exactly one of 'probability' or 'burst'");
        assertThatThrownBy(() -> FaultSpec.withProbability(FaultKind.TIMEOUT, 1.5))
                .hasMessageContaining("must be in [0, 1], but was 1.5");
    }
}
