// What the Sluice console preloads (read, extend, or add your own with: sluice console --startup FILE).
// After this script the console binds one variable per tier (Tier tier1 = tier("tier1");) and `lastError`.
import static dev.sluice.dsl.Sluice.*;
import dev.sluice.dsl.*;
import dev.sluice.tier.*;
import dev.sluice.snapshot.*;
import java.util.*;
import java.util.stream.*;
import java.nio.file.*;
import java.time.*;

var ws = workspace();    // the workspace: ws.dir(), ws.tiers()
var tiers = tiers();     // every open tier: for (Tier t : tiers) ...
