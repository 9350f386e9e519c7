package dev.sluice.tier;

/** One column as the catalogue describes it. {@code pk} is its 1-based position in the primary key, 0 when not part of it. */
public record Column(String name, String type, boolean notNull, String defaultValue, int pk) {
    @Override
    public String toString() {
        return name + (type == null || type.isEmpty() ? "" : " " + type) + (notNull ? " NOT NULL" : "")
                + (defaultValue == null ? "" : " DEFAULT " + defaultValue) + (pk > 0 ? " PK" + (pk > 1 ? pk : "") : "");
    }
}
