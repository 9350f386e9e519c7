package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepState;
import dev.sluice.playbook.StepStatus;

/** {@code /steps}: each step of the loaded playbook as applied, pending, changed or open, the current one marked. */
final class StepsCommand implements SlashCommand {
    private final ConsoleRun state;

    StepsCommand(ConsoleRun state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "steps";
    }

    @Override
    public String summary() {
        return "The loaded playbook's steps: applied, pending, changed or open; '>' marks the open or next one";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        PlaybookSession run = state.require();
        Step open = run.current() == null ? null : run.current().step();
        Step next = open == null ? run.peek() : null;
        ctx.out().println("Playbook '" + run.playbook().title() + "' (" + run.playbook().displayPath() + ")");
        for (StepStatus s : run.steps()) {
            Step step = s.step();
            boolean isOpen = step.equals(open);
            String line = String.format("%s%2d. %-8s %s", isOpen || step.equals(next) ? "> " : "  ", step.index(),
                    isOpen ? "open" : s.state().label(), step.name());
            if (s.state() != StepState.PENDING) {
                line += "  (" + String.join(", ", s.appliedOn()) + ", " + dev.sluice.tier.Format.time(s.appliedAt()) + " by " + s.appliedBy() + ")";
            }
            if (s.state() == StepState.CHANGED) {
                line += "  applied sha256 " + s.appliedChecksum().substring(0, 12) + "…, now " + step.shortChecksum();
            }
            if (isOpen) {
                line += "  ← transactions open: /commit, /rollback or /skip";
            } else if (step.equals(next)) {
                line += "  ← next";
            }
            ctx.out().println(line);
        }
    }
}
