package io.copytrader.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class UnknownSettingsTest {
    private static final Set<String> READ = Set.of("copytrader.copy.ratio", "copytrader.copy.max-slippage",
            "copytrader.feed.traders", "copytrader.kafka.trades-topic", "copytrader.targets.alice.ratio");

    @Test
    void shouldSuggestTheKeyALetterAddedLeftOutChangedOrSwappedAwayAndNothingFar() {
        assertThat(UnknownSettings.nearest("copytrader.copy.ration", READ)).isEqualTo("copytrader.copy.ratio");
        assertThat(UnknownSettings.nearest("copytrader.copy.rato", READ)).isEqualTo("copytrader.copy.ratio");
        assertThat(UnknownSettings.nearest("copytrader.copy.ratoi", READ)).isEqualTo("copytrader.copy.ratio");
        assertThat(UnknownSettings.nearest("copytrader.Copy.Ratio", READ)).isEqualTo("copytrader.copy.ratio");
        assertThat(UnknownSettings.nearest("copytrader.copy.max_slippage", READ)).isEqualTo("copytrader.copy.max-slippage");
        assertThat(UnknownSettings.nearest("copytrader.feed.trader", READ)).isEqualTo("copytrader.feed.traders");
        assertThat(UnknownSettings.nearest("copytrader.target.Bob.ratio", READ)).isEqualTo("copytrader.targets.Bob.ratio");
        assertThat(UnknownSettings.nearest("copytrader.colour", READ)).isNull();
        assertThat(UnknownSettings.nearest("copytrader.copy.size", READ)).isNull();
        assertThat(UnknownSettings.distance("ratio", "ratoi")).isEqualTo(1);
        assertThat(UnknownSettings.distance("", "abc")).isEqualTo(3);
    }

    @Test
    void shouldRefuseOnlyCopytraderKeysNothingReadsAndNeverAPerTargetOne() {
        assertThat(UnknownSettings.refusal(List.of("copytrader.copy.ratio", "camel.main.name", "other.key",
                "copytrader.targets.bob.whatever"), READ)).isNull();
        assertThat(UnknownSettings.refusal(List.of("copytrader.copy.ration", "copytrader.colour"), READ))
                .isEqualTo("copytrader.colour, copytrader.copy.ration (did you mean copytrader.copy.ratio?) are set, but"
                        + " no setting reads them (a misspelled key would leave its setting at the default): correct"
                        + " their names or remove them");
        // a key as long as a pasted secret is shown by its start and its length
        String pasted = "copytrader." + "a".repeat(200);
        assertThat(UnknownSettings.refusal(List.of(pasted), READ)).startsWith(pasted.substring(0, 40) + "... (211 characters)")
                .doesNotContain(pasted.substring(0, 41));
    }

    @Test
    void shouldFindTheKeysPlaceholdersName() {
        assertThat(UnknownSettings.placeholders("{{copytrader.queue.uri}}?size={{copytrader.queue.size}}&x={{env:Y:1}}"
                + " {{copytrader.a.b:5}} {{?copytrader.c}} ${properties:copytrader.d.e} {{camel.main.name}}"))
                .containsExactly("copytrader.queue.uri", "copytrader.queue.size", "copytrader.a.b", "copytrader.c",
                        "copytrader.d.e");
    }

    @Test
    void shouldNoteEveryKeyASurveyIsAskedForAndAnswerNotSet() {
        UnknownSettings.Survey survey = new UnknownSettings.Survey();
        SellSettings.load(survey);
        assertThat(survey.keys()).containsExactly("copytrader.copy.sell-sizing", "copytrader.copy.sell-below-minimum");
        assertThat(survey.apply("x")).isNull();
    }
}
