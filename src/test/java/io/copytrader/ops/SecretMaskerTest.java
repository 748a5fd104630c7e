package io.copytrader.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The last line of defence: every registered secret value masked wherever it stands in a text, whole. */
class SecretMaskerTest {

    @AfterEach
    void forget() {
        SecretMasker.reset();
    }

    @Test
    void shouldMaskValuesFromSixCharactersUpAndLeaveShorterOnesAlone() {
        SecretMasker.register(" s3cr3t ");
        SecretMasker.register("abcde");
        SecretMasker.register(null);
        assertThat(SecretMasker.mask("pass s3cr3t, code abcde")).isEqualTo("pass ****, code abcde");
        assertThat(SecretMasker.mask(null)).isNull();
    }

    @Test
    void shouldMaskASecretThatContainsAnotherWhole() {
        SecretMasker.register("hunter2-prod");
        SecretMasker.register("hunter2-prod-and-more");
        assertThat(SecretMasker.mask("a=hunter2-prod-and-more b=hunter2-prod")).isEqualTo("a=**** b=****");
    }

    @Test
    void shouldMaskAHexKeyWithOrWithoutItsPrefixAndInEitherCase() {
        String key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        SecretMasker.register(key);
        String bare = key.substring(2);
        assertThat(SecretMasker.mask("key " + key)).doesNotContain(bare);
        assertThat(SecretMasker.mask("key " + bare)).isEqualTo("key ****");
        assertThat(SecretMasker.mask("KEY " + bare.toUpperCase(java.util.Locale.ROOT))).isEqualTo("KEY ****");
        assertThat(SecretMasker.mask("no secret here")).isEqualTo("no secret here");
    }

    @Test
    void shouldTellSecretNamesFromOthers() {
        assertThat(SecretMasker.isSecretName("POLY_API_SECRET")).isTrue();
        assertThat(SecretMasker.isSecretName("copytrader.polymarket.private-key")).isTrue();
        assertThat(SecretMasker.isSecretName("db.password")).isTrue();
        assertThat(SecretMasker.isSecretName("POLY_PASSPHRASE")).isTrue();
        assertThat(SecretMasker.isSecretName("signing_key")).isTrue();
        assertThat(SecretMasker.isSecretName("COPY_RATIO")).isFalse();
        assertThat(SecretMasker.isSecretName("copytrader.store.url")).isFalse();
    }
}
