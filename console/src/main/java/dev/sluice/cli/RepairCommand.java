package dev.sluice.cli;

import dev.sluice.encoding.Sha256;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.history.History;
import dev.sluice.history.HistoryEntry;
import dev.sluice.history.RunLocks;
import dev.sluice.history.Who;
import dev.sluice.playbook.PartialSteps;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepState;
import dev.sluice.playbook.StepStatus;
import dev.sluice.playbook.groovy.PlaybookLoader;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "repair", mixinStandardHelpOptions = true, description = {
        "Accept the edited source of an applied step, or settle a step committed on only some tiers.",
        "An edited step's new checksum is recorded as 'repaired' on each tier. A partial step: --finish runs it on the tiers it",
        "missed against the state the others had before it (the default), --restore puts the tiers it reached back from the",
        "snapshot taken before it (it then runs again), and --finished records it on the missed tiers once you finished it",
        "there by hand (no snapshot covers them).",
        "Example: sluice repair playbooks/tour.groovy --step \"add a status column\" -w /tmp/sluice-demo"})
final class RepairCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "The playbook file (.groovy).")
    Path playbook;

    @Option(names = "--step", required = true, paramLabel = "NAME", description = "The step to repair.")
    String stepName;

    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    Way way = new Way();

    static final class Way {
        @Option(names = "--finish", description = "A partial step: run it on the tiers it missed, against the state the others had before it (the default).")
        boolean finish;

        @Option(names = "--restore", description = "A partial step: restore the tiers it reached from the snapshot taken before it; it runs again on the next run.")
        boolean restore;

        @Option(names = "--finished", description = "A partial step was finished by hand on the tiers it missed: record it there.")
        boolean finished;

        PartialSteps.Way chosen() {
            return restore ? PartialSteps.Way.RESTORE : finished ? PartialSteps.Way.FINISHED_BY_HAND : PartialSteps.Way.FINISH;
        }
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Playbook pb = PlaybookLoader.load(playbook);
        Step step = pb.step(stepName);
        Workspace ws = Workspace.load(workspace.dir());
        RunLocks.refuseIfFilesHeld(ws.dir(), ws.tiers().values(), Who.current()); // before opening: see RunCommand
        try (Session session = Session.open(workspace.dir())) {
            Who who = Who.current();
            RunLocks.refuseIfHeld(session.workspace().dir(), session.tiers().all(), who);
            boolean did = false;
            for (String line : PartialSteps.recover(session, pb, step, way == null ? PartialSteps.Way.FINISH : way.chosen())) {
                out.println(line);
                did = true;
            }
            StepStatus st = PlaybookSession.statuses(session, pb).get(step.index() - 1);
            if (st.state() == StepState.PENDING) {
                if (did) {
                    return 0;
                }
                throw new SluiceException(ErrorCode.USAGE, "Step '" + step.name() + "' is not applied on any tier of " + session.workspace().dir()
                        + "; there is nothing to repair. Run it with 'sluice run " + pb.displayPath() + "'.");
            }
            if (st.state() == StepState.APPLIED) {
                if (did) {
                    return 0; // settled just now: the lines above say how
                }
                out.println("Step '" + step.name() + "' already matches what was applied (sha256 " + step.shortChecksum() + "); nothing to repair.");
                return 0;
            }
            for (String n : st.appliedOn()) {
                Tier t = session.tier(n);
                HistoryEntry last = History.latest(t, pb.id(), step.name()).orElseThrow();
                if (last.checksum().equals(step.checksum())) {
                    continue;
                }
                History.record(t, new HistoryEntry(0, pb.id(), step.name(), step.checksum(), HistoryEntry.REPAIRED, who.user(), who.host(),
                        Instant.now().toString(), 0, 0, null, null, "repair"));
                out.println("Step '" + step.name() + "' on " + n + ": accepted sha256 " + step.shortChecksum() + " (was "
                        + Sha256.shortForm(last.checksum()) + "). The step is not run again.");
            }
            return 0;
        }
    }
}
