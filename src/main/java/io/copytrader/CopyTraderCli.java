package io.copytrader;

import io.copytrader.cli.BenchCommand;
import io.copytrader.cli.ChainBenchCommand;
import io.copytrader.cli.DeadLettersCommand;
import io.copytrader.cli.IdleBenchCommand;
import io.copytrader.cli.PaperVenueCommand;
import io.copytrader.cli.RunCommand;
import io.copytrader.cli.SharedArchiveLauncher;
import io.copytrader.cli.StatusCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * The jar's entry point. With no subcommand it runs the engine (exactly what a plain Camel Main over routes/ and
 * application.properties does); the subcommands are tools around it.
 */
@Command(name = "copytrader", mixinStandardHelpOptions = true, version = "copytrader 0.1.0",
        description = "Copies a target trader's trades onto your account, on Apache Camel.",
        subcommands = {StatusCommand.class, PaperVenueCommand.class, DeadLettersCommand.class, BenchCommand.class,
                ChainBenchCommand.class, IdleBenchCommand.class})
public final class CopyTraderCli implements Callable<Integer> {

    public static void main(String[] args) {
        // the engine (no subcommand) runs in a child JVM with the jar's class archive when there is one to use or make
        OptionalInt relaunched = SharedArchiveLauncher.relaunch(args);
        System.exit(relaunched.isPresent() ? relaunched.getAsInt() : run(args));
    }

    public static int run(String... args) {
        if (args.length == 0) {
            // the engine itself: no option to parse, and building picocli's model of every subcommand costs ~0.2 s
            // of a start; what picocli would do with an exception from call() is done here
            try {
                return new RunCommand().call();
            } catch (Exception e) {
                e.printStackTrace();
                return CommandLine.ExitCode.SOFTWARE;
            }
        }
        return new CommandLine(new CopyTraderCli()).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        return new RunCommand().call();
    }
}
