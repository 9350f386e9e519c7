package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.data.CopyResult;
import dev.sluice.tier.Checksum;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObservationsTest {
    /** Issue 7 (seed 003): a copy inside a recorded playbook step failed on its Duration fields, and timings must not be compared. */
    @Test
    void aCopyIsObservedByItsFactsNotItsTimings() {
        Checksum c = new Checksum(85, "ab".repeat(32));
        JsonNode a = Observations.normalise(new CopyResult("task_queue.tasks", "workspace.tasks", 85, Duration.ofMillis(12), 7000.0,
                "ATTACH + INSERT … SELECT (raw copy)", c, c, true, Duration.ofMillis(3), List.of()));
        JsonNode b = Observations.normalise(new CopyResult("task_queue.tasks", "workspace.tasks", 85, Duration.ofMillis(40), 2100.0,
                "ATTACH + INSERT … SELECT (raw copy)", c, c, true, Duration.ofMillis(9), List.of()));
        assertEquals(a, b);
        assertEquals(85, a.path("rows").asLong());
        assertEquals(c.sha256(), a.path("targetChecksum").path("sha256").asText());
        assertFalse(a.has("elapsed"));
    }
}
