package io.copytrader.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "dead-letters", mixinStandardHelpOptions = true, description = "Lists and replays dead letters.")
public final class DeadLettersCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("dead-letters: not built yet");
        return 1;
    }
}
