package dev.sluice.tier;

import java.util.List;

/** A table of a tier, for calls that take tables (diff, copy) and for object-style use: {@code tier1.table("tasks").count()}. */
public record TableRef(Tier tier, String name) {
    public long count() {
        return tier.count(name);
    }

    public Checksum checksum() {
        return tier.checksum(name);
    }

    public List<Column> columns() {
        return tier.columns(name);
    }

    public String schema() {
        return tier.schema(name);
    }

    @Override
    public String toString() {
        return tier.name() + "." + name;
    }
}
