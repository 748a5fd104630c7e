package io.copytrader.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The last line of defence: every registered secret value masked wherever it stands in a text, whole. */
class SecretMaskerTest {

    @BeforeEach
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

    @Test
    void shouldMaskASecretUrlEncodedInAQueryOrAFormBody() {
        String secret = "c2VjcmV0/LXZhbHVl+LXRoYXQ=="; // base64: / + and = are percent-encoded in a URL
        SecretMasker.register(secret);
        assertThat(SecretMasker.mask("GET /auth?secret=c2VjcmV0%2FLXZhbHVl%2BLXRoYXQ%3D%3D&x=1"))
                .isEqualTo("GET /auth?secret=****&x=1");
        assertThat(SecretMasker.mask("secret=c2VjcmV0%2fLXZhbHVl%2bLXRoYXQ%3d%3d")).as("lower-case escapes")
                .isEqualTo("secret=****");
        SecretMasker.register("pass phrase&more");
        assertThat(SecretMasker.mask("p=pass+phrase%26more p=pass%20phrase%26more")).isEqualTo("p=**** p=****");
    }

    @Test
    void shouldMaskASecretAsJsonWritesIt() {
        SecretMasker.register("pa\"ss\\word/123");
        assertThat(SecretMasker.mask("raw pa\"ss\\word/123")).isEqualTo("raw ****");
        assertThat(SecretMasker.mask("{\"passphrase\":\"pa\\\"ss\\\\word/123\"}")).isEqualTo("{\"passphrase\":\"****\"}");
        assertThat(SecretMasker.mask("{\"passphrase\":\"pa\\\"ss\\\\word\\/123\"}")).as("with / escaped")
                .isEqualTo("{\"passphrase\":\"****\"}");
    }

    @Test
    void shouldMaskTwoSecretsThatOverlapInATextWithNothingOfEitherLeft() {
        SecretMasker.register("abcdef-123456");
        SecretMasker.register("123456-uvwxyz");
        assertThat(SecretMasker.mask("joined abcdef-123456-uvwxyz here")).isEqualTo("joined **** here");
        assertThat(SecretMasker.mask("123456-uvwxyz and abcdef-123456")).isEqualTo("**** and ****");
    }

    @Test
    void shouldMaskAnUpperCaseHexKeyInLowerCaseToo() {
        SecretMasker.register("0X4C0883A69102937D6231471B5DBB6204FE5129617082792AE468D01A3F362318");
        assertThat(SecretMasker.mask("k=4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")).isEqualTo("k=****");
    }

    @Test
    void shouldForgetWhatWasRegisteredOnReset() {
        SecretMasker.register("forget-me-123");
        SecretMasker.reset();
        assertThat(SecretMasker.mask("forget-me-123")).isEqualTo("forget-me-123");
    }

    @Test
    void shouldRegisterThePropertiesThatWeOrCamelCallSensitiveResolvedAndNoOthers() throws Exception {
        Properties props = new Properties();
        props.setProperty("copytrader.polymarket.api-secret", "{{sys:no.such.property.set:api-secret-from-default}}");
        props.setProperty("camel.component.kafka.sasl-jaas-config", "jaas-config-must-not-leak"); // sensitive to Camel only
        props.setProperty("copytrader.store.password", "{{sys:no.such.property.set}}"); // unresolvable: nothing to mask
        props.setProperty("copytrader.paper.url", "http://venue.example:8090");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(props);
            SecretMasker.registerSensitiveProperties(context);
        }
        assertThat(SecretMasker.mask("s=api-secret-from-default j=jaas-config-must-not-leak u=http://venue.example:8090"))
                .isEqualTo("s=**** j=**** u=http://venue.example:8090");
    }

    @Test
    void shouldMaskThePasswordsThatAUrlInAnyPropertyHolds() throws Exception {
        Properties props = new Properties();
        props.setProperty("copytrader.store.url", "jdbc:postgresql://db:5432/copytrader?user=ct&password=pg-secret-5e1a&ssl=true");
        props.setProperty("copytrader.chain.ws-url", "wss://ops:br%40ker-secret@node.example/ws");
        props.setProperty("copytrader.paper.url", "http://venue.example:8090/api?page=200");
        props.setProperty("copytrader.other.url", "http://other.example/?password=bad%zz-secret"); // no valid escape
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(props);
            SecretMasker.registerSensitiveProperties(context);
        }
        assertThat(SecretMasker.mask("connecting with pg-secret-5e1a")).isEqualTo("connecting with ****");
        assertThat(SecretMasker.mask("as written bad%zz-secret")).isEqualTo("as written ****");
        assertThat(SecretMasker.mask("broker password br@ker-secret, as written br%40ker-secret"))
                .isEqualTo("broker password ****, as written ****");
        assertThat(SecretMasker.mask("http://venue.example:8090/api?page=200 db:5432 copytrader"))
                .isEqualTo("http://venue.example:8090/api?page=200 db:5432 copytrader");
    }
}
