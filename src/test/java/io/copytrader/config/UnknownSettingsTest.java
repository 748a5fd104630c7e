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

    private static final Set<String> READ_VARIABLES = Set.of("MAX_POSITION_SIZE_USD", "COPY_RATIO", "QUEUE_URI",
            "POLL_INTERVAL_MS", "VENUE", "KAFKA_BROKERS");

    @Test
    void shouldRefuseAVariableOneOrTwoEditsFromOneReadAndLeaveOtherProgramsVariablesAlone() {
        assertThat(UnknownSettings.variableRefusal(Set.of("MAX_POSITON_SIZE_USD", "PATH", "HOME"), READ_VARIABLES))
                .isEqualTo("MAX_POSITON_SIZE_USD (did you mean MAX_POSITION_SIZE_USD?) is set in the environment, but no"
                        + " setting reads it (the setting meant would stay at its default): correct its name or unset it");
        assertThat(UnknownSettings.variableRefusal(Set.of("COPY_RATOI", "POLL_INTERVL_MS"), READ_VARIABLES))
                .startsWith("COPY_RATOI (did you mean COPY_RATIO?), POLL_INTERVL_MS (did you mean POLL_INTERVAL_MS?) are set");
        assertThat(UnknownSettings.variableRefusal(Set.of("KAFKA_BROKER"), READ_VARIABLES)).contains("KAFKA_BROKERS?");
        // read ones, other programs' (far from every name read, or short), lower case, and COPYTRADER_* (judged as keys)
        assertThat(UnknownSettings.variableRefusal(Set.of("MAX_POSITION_SIZE_USD", "COPY_RATIO", "PATH", "JAVA_HOME",
                "VENUS", "VENU", "max_position_size_usd", "COPYTRADER_COPY_RATOI", "HOSTNAME"), READ_VARIABLES)).isNull();
        // the name meant is set too: the near miss is someone else's (a queue's URL beside our QUEUE_URI)
        assertThat(UnknownSettings.variableRefusal(Set.of("QUEUE_URL", "QUEUE_URI"), READ_VARIABLES)).isNull();
        assertThat(UnknownSettings.variableRefusal(Set.of("QUEUE_URL"), READ_VARIABLES)).startsWith("QUEUE_URL (did you mean QUEUE_URI?)");
        // three edits from every name read: not a near miss
        assertThat(UnknownSettings.variableRefusal(Set.of("MAX_POS_SIZE_USD"), READ_VARIABLES)).isNull();
    }

    @Test
    void shouldFindTheVariablesEnvPlaceholdersName() {
        assertThat(UnknownSettings.variablePlaceholders("{{env:POLL_INTERVAL_MS:200}} {{env:STORE_URL}} {{copytrader.a:1}}"
                + " {{env:lower_case:x}}")).containsExactly("POLL_INTERVAL_MS", "STORE_URL", "lower_case");
        assertThat(UnknownSettings.isVariableName("POLL_INTERVAL_MS")).isTrue();
        assertThat(UnknownSettings.isVariableName("poll_interval_ms")).isFalse();
        assertThat(UnknownSettings.isVariableName("9LIVES")).isFalse();
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
