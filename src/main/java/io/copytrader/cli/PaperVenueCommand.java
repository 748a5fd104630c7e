package io.copytrader.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "paper-venue", mixinStandardHelpOptions = true, description = "Runs the paper venue (simulated feed and exchange) as its own process.")
public final class PaperVenueCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("paper-venue: not built yet");
        return 1;
    }
}
