package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.VenueHttpClient;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The CLOB's clock against ours. L1 and L2 headers carry a Unix-seconds timestamp the CLOB checks against its own
 * clock (the official clients offer {@code useServerTime} for machines whose clock is off): with a drifted clock every
 * authenticated call would be refused as if the credentials were wrong. We read {@code GET /time} (the CLOB's Unix
 * seconds) at start and every few minutes after ({@link ClobClock}); when ours is {@link #TOLERANCE} or more away from
 * it, headers are stamped with our clock moved by the difference, and the operator is told to fix the machine's time.
 *
 * <p>The answer has whole seconds: the CLOB's time is taken as the middle of its second, ours as the middle of the
 * call, so a difference is known to about half a second plus half the round trip; below the tolerance it is ignored.
 */
public record ClobTime(Optional<Duration> offset, String unavailableBecause) {
    /** A smaller difference is within what one {@code GET /time} can tell, and the CLOB's window is larger. */
    static final Duration TOLERANCE = Duration.ofSeconds(2);

    /** The CLOB's time minus ours, from one {@code GET /time}; empty, with the reason, when it could not be read. */
    static ClobTime measure(String clobUrl, VenueHttpClient http, Clock local) {
        long before = local.millis();
        HttpReply reply;
        try {
            reply = http.execute(HttpCall.get(clobUrl + "/time"));
        } catch (IOException e) {
            return unavailable("GET /time failed: " + e.getClass().getSimpleName());
        }
        long after = local.millis();
        if (!reply.isSuccess()) {
            return unavailable("GET /time answered HTTP " + reply.status());
        }
        long seconds;
        try {
            JsonNode node = Json.read("CLOB /time", reply.body());
            JsonNode value = node.isObject() ? node.get("time") : node;
            seconds = Long.parseLong(value == null ? "" : value.asText().trim());
        } catch (IllegalArgumentException e) {
            return unavailable("GET /time gave no Unix seconds");
        }
        if (seconds <= 0 || seconds > 253_402_300_799L) { // after 9999-12-31: not a time
            return unavailable("GET /time gave no Unix seconds");
        }
        long ours = before + (after - before) / 2;
        return new ClobTime(Optional.of(Duration.ofMillis(seconds * 1000 + 500 - ours)), null);
    }

    private static ClobTime unavailable(String why) {
        return new ClobTime(Optional.empty(), why);
    }

    /** Whether headers are stamped with the CLOB's time rather than ours. */
    public boolean corrected() {
        return offset.isPresent() && offset.get().abs().compareTo(TOLERANCE) >= 0;
    }

    /** One line for the operator: the difference and what is done about it. */
    public String describe() {
        if (offset.isEmpty()) {
            return "the CLOB's clock is unknown (" + unavailableBecause + "): headers carry this machine's time";
        }
        long ms = offset.get().toMillis();
        if (!corrected()) {
            return "this machine's clock is within " + TOLERANCE.toSeconds() + " s of the CLOB's";
        }
        return String.format(Locale.ROOT, "this machine's clock is %.1f s %s the CLOB's: headers carry the CLOB's time; fix the "
                + "machine's time synchronisation (NTP)", Math.abs(ms) / 1000.0, ms > 0 ? "behind" : "ahead of");
    }
}
