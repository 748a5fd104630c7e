package io.copytrader.bench;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The bench's part in {@link VenueProcessTest}, as a process of its own: starts the paper venue as the bench does,
 * prints {@code VENUE <pid> <base URL>}, then waits to be killed (never closing the venue).
 */
public final class VenueProcessParent {
    private VenueProcessParent() {
    }

    public static void main(String[] args) throws Exception {
        VenueProcess venue = VenueProcess.start(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1"),
                List.of("--trader", "bench=0"));
        System.out.println("VENUE " + venue.pid() + " " + venue.baseUrl());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
