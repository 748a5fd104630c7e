package io.copytrader.cli;

import java.util.concurrent.Callable;

/** Runs the engine. */
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("copytrader: the pipeline is not built yet");
        return 1;
    }
}
