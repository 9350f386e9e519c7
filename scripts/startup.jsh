// What the Sluice console preloads (read, extend, or add your own with: sluice console --startup FILE).
// After this script the console binds one variable per tier (Tier tier1 = tier("tier1");) and `lastError`.
// The operator's DSL, type by type (engine levers such as dev.sluice.tier.TierInternals are left out on purpose).
import static dev.sluice.dsl.Sluice.*;
import dev.sluice.dsl.Expectation;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Rows;
import dev.sluice.tier.Row;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Column;
import dev.sluice.tier.Index;
import dev.sluice.tier.IntegrityReport;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.TableDescription;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.data.CopyOptions;
import dev.sluice.data.CopyResult;
import dev.sluice.data.BackfillOptions;
import dev.sluice.data.BackfillResult;
import dev.sluice.data.Batch;
import dev.sluice.data.Diff;
import dev.sluice.data.SpotCheck;
import dev.sluice.schema.SchemaChange;
import dev.sluice.history.MigrateResult;
import java.util.*;
import java.util.stream.*;
import java.nio.file.*;
import java.time.*;

var ws = workspace();    // the workspace: ws.dir(), ws.tiers()
var tiers = tiers();     // every open tier: for (Tier t : tiers) ...
