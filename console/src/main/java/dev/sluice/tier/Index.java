package dev.sluice.tier;

import java.util.List;

/** One index: name, table, columns in order, unique or not, and its partial WHERE clause when the catalogue tells. */
public record Index(String name, String table, List<String> columns, boolean unique, String where) {
    @Override
    public String toString() {
        return name + " ON " + table + "(" + String.join(", ", columns) + ")" + (unique ? " UNIQUE" : "")
                + (where == null ? "" : " WHERE " + where);
    }
}
