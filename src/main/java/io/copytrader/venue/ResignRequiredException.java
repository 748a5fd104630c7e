package io.copytrader.venue;


/**
 * The CLOB refused an order with {@code order_version_mismatch} and now reports another order version that we can
 * sign. The refused order was not placed, so the engine must prepare (sign) the intent again, which yields a new
 * order hash, and persist that before sending. A plain resend of the same request would be refused again.
 */
public final class ResignRequiredException extends TransientVenueException {
    public ResignRequiredException(int signedVersion, int currentVersion) {
        super("order_version_mismatch: signed for CLOB version " + signedVersion + ", the CLOB now takes version "
                + currentVersion + "; prepare the order again", 400, null);
    }
}
