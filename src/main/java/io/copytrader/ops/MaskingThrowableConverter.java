package io.copytrader.ops;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/** Logback's %ex (stack traces, exception messages, causes) with every known secret value masked. */
public final class MaskingThrowableConverter extends ExtendedThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return SecretMasker.mask(super.throwableProxyToString(tp));
    }
}
