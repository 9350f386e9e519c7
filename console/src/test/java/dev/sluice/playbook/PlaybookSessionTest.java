package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.dsl.Session;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.groovy.PlaybookLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine API the console's /run, /steps, /next, /commit, /rollback, /skip and /status wrap. */
class PlaybookSessionTest {
    @TempDir
    Path tmp;

    @Test
    void nextLeavesTheStepOpenUntilTheOperatorDecides() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("three.groovy", PlaybookRunTest.THREE_STEPS);
        List<String> events = new ArrayList<>();
        RunListener journal = new RunListener() {
            @Override
            public void stepStarted(Step step, int position, int total) {
                events.add("start " + step.name());
            }

            @Override
            public void expectation(Step step, dev.sluice.dsl.Expectation e) {
                events.add("expect " + e.name() + " " + e.passed());
            }

            @Override
            public void decision(Step step, Decision d) {
                events.add(d.label() + " " + step.name());
            }
        };
        try (Session s = Session.open(tmp);
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, journal)) {
            assertEquals(3, run.steps().size());
            StepResult one = run.next();
            assertEquals(StepResult.Status.OPEN, one.status());
            assertNotNull(run.current());
            assertEquals(4L, s.tier("tier1").count("items"), "uncommitted row visible on the same connection");
            assertEquals(3, f.count("tier1", "items"), "…and invisible to anyone else");
            assertThrows(SluiceException.class, run::next, "one open step at a time");
            assertTrue(run.status().toString().contains("open: 'one'"), run.status().toString());
            run.commit();
            assertEquals(4, f.count("tier1", "items"));
            assertEquals(StepResult.Status.OPEN, run.next().status());
            run.skip();
            StepResult three = run.next();
            assertEquals("three", three.step().name());
            run.rollback();
            assertEquals("three", run.peek().name(), "a rolled-back step stays next");
            assertEquals(StepResult.Status.OPEN, run.next().status());
            run.commit();
            assertNull(run.next());
            assertEquals(List.of(StepState.APPLIED, StepState.PENDING, StepState.APPLIED), run.steps().stream().map(StepStatus::state).toList());
        }
        assertEquals(List.of("start one", "expect four items on tier1 true", "commit one", "start two", "skip two", "start three",
                "rollback three", "start three", "commit three"), events);
    }
}
