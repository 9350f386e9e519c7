package dev.sluice.console.playbook;

import dev.sluice.console.SlashCommand;
import dev.sluice.playbook.PlaybookSession;
import java.util.List;

/** The console's playbook commands, sharing one run per console. */
public final class PlaybookCommands {
    private PlaybookCommands() {
    }

    /** For a console of its own: {@code /run} loads a playbook; the console's end rolls back an open step and unlocks. */
    public static List<SlashCommand> create() {
        return commands(ConsoleRun.owned());
    }

    /**
     * For the console {@code sluice run} opens to inspect a step of {@code run}: {@code /steps} and {@code /status} show
     * it; {@code /run}, {@code /next}, {@code /commit}, {@code /rollback} and {@code /skip} say to leave and answer the
     * run's question instead.
     */
    public static List<SlashCommand> inspecting(PlaybookSession run) {
        return commands(ConsoleRun.borrowed(run));
    }

    /** The run a console's own playbook commands hold (loaded by {@code /run}), or null: none loaded, or borrowed from {@code sluice run}. */
    public static PlaybookSession loadedRun(List<SlashCommand> commands) {
        for (SlashCommand c : commands) {
            if (c instanceof RunPlaybookCommand r) {
                return r.ownedRun();
            }
        }
        return null;
    }

    private static List<SlashCommand> commands(ConsoleRun state) {
        return List.of(new RunPlaybookCommand(state), new StepsCommand(state), new NextCommand(state), new CommitCommand(state),
                new RollbackCommand(state), new SkipCommand(state), new RunStatusCommand(state));
    }
}
