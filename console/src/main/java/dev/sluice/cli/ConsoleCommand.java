package dev.sluice.cli;

import dev.sluice.dsl.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "console", mixinStandardHelpOptions = true, description = {
        "Open the interactive console (JShell with the DSL and one variable per tier) on a workspace.",
        "Without a terminal, or with -f/-e, it evaluates a script: no prompts, exit status 1 at the first error.",
        "Examples: sluice console -w /tmp/sluice-demo",
        "          sluice console -w /tmp/sluice-demo -e 'tier1.count(\"conversations\")'"})
final class ConsoleCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Mixin
    ConsoleOptions console;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        dev.sluice.console.Console.warmUp(); // JShell's compiler warms up while the tiers open
        try (Session session = Session.openKeepingDamaged(workspace.dir())) { // integrity() and restore must reach a damaged tier
            return console.open(session, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }
}
