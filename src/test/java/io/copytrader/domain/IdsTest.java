package io.copytrader.domain;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Identifiers: 1 to 200 printable ASCII characters without spaces, as the regular expression below says. */
class IdsTest {
    /** The rule as a regular expression: the reference the hand-written check must agree with. */
    private static final Pattern REFERENCE = Pattern.compile("[\\x21-\\x7E]{1,200}");

    @Test
    void shouldAcceptAndRefuseAtTheEdges() {
        assertThat(Ids.safe("alice")).isTrue();
        assertThat(Ids.safe("!")).isTrue();
        assertThat(Ids.safe("~".repeat(200))).isTrue();
        assertThat(Ids.safe("a".repeat(201))).isFalse();
        assertThat(Ids.safe("")).isFalse();
        assertThat(Ids.safe(null)).isFalse();
        assertThat(Ids.safe("al ice")).isFalse();
        assertThat(Ids.safe("tab\there")).isFalse();
        assertThat(Ids.safe("del\u007F")).isFalse();
        assertThat(Ids.safe("caf\u00E9")).isFalse();
        assertThat(Ids.safe("\uD83D\uDE00")).as("a surrogate pair").isFalse();
        assertThatThrownBy(() -> Ids.require("trader", "al ice")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trader must be 1 to 200 printable characters without spaces, but was 'al ice'");
        assertThat(Ids.require("trader", "alice")).isEqualTo("alice");
    }

    @Test
    void shouldAgreeWithTheRegularExpressionOnRandomText() {
        SplittableRandom random = new SplittableRandom(3);
        char[] alphabet = {' ', '!', '~', 'a', 'Z', '0', '\u007F', '\u0020', '\t', '\u00E9', '\uD83D', '\uDE00', '\u0000'};
        for (int i = 0; i < 50_000; i++) {
            int length = random.nextInt(204);
            StringBuilder text = new StringBuilder(length);
            boolean printableOnly = random.nextInt(4) > 0; // most strings near the rule's edge of length
            for (int j = 0; j < length; j++) {
                text.append(printableOnly ? (char) random.nextInt(0x21, 0x7F) : alphabet[random.nextInt(alphabet.length)]);
            }
            String value = text.toString();
            assertThat(Ids.safe(value)).as("'%s'", value).isEqualTo(REFERENCE.matcher(value).matches());
        }
    }
}
