package io.copytrader.store;

/** A store operation failed (database unreachable, disk full, locked past the busy timeout): nothing acknowledged. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
