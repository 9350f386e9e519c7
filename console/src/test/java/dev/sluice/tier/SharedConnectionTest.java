package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The atomic-step guard's reading of SQL: only a table named by its qualified name may be reached in another tier. */
class SharedConnectionTest {
    @Test
    void aQualifiedTableCountsButAColumnQualifierLiteralOrCommentDoesNot() {
        assertTrue(SharedConnection.names("INSERT INTO hot.events SELECT * FROM events.events", "events", "events"));
        assertTrue(SharedConnection.names("SELECT * FROM \"events\" . \"events\"", "events", "events"));
        assertTrue(SharedConnection.names("select * from EVENTS.Events e", "events", "events"));
        assertFalse(SharedConnection.names("DELETE FROM events WHERE events.id < 100", "events", "events"));
        assertFalse(SharedConnection.names("UPDATE items SET note = 'moved to tier1.items ok'", "tier1", "items"));
        assertFalse(SharedConnection.names("DELETE FROM items -- tier1.items\n", "tier1", "items"));
        assertFalse(SharedConnection.names("DELETE FROM items /* tier1.items */", "tier1", "items"));
        assertFalse(SharedConnection.names("SELECT * FROM tier1.items_old", "tier1", "items"));
        assertTrue(SharedConnection.names("SELECT * FROM tier1.anything", "tier1", null), "table unknown: the qualifier is enough");
    }

    @Test
    void namesInEveryQuotingCountButNotInsideLiteralsOrComments() {
        assertTrue(SharedConnection.names("DELETE FROM [tier1].`items`", "tier1", "items"));
        assertTrue(SharedConnection.names("DELETE FROM \"Tier1\" . [Items]", "tier1", "items"));
        assertFalse(SharedConnection.names("SELECT 'it''s tier1.items', \"tier1.items\" FROM x", "tier1", "items"), "one quoted name with a dot");
        assertFalse(SharedConnection.names("SELECT 1 /* a /* tier1.items */", "tier1", "items"));
        assertFalse(SharedConnection.names("SELECT 'tier1.items", "tier1", "items"), "an unterminated literal runs to the end");
    }
}
