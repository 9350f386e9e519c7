package dev.sluice.playbook.groovy;

/**
 * The {@code expect('name') { … }} block: plain Groovy that returns something true (Groovy truth) when the check holds.
 * It allows no keywords; tiers and parameters are visible by name, and every tier call reads inside the step's
 * transactions. When the block ends with a condition that does not hold, the values of its parts are shown under it
 * ({@code ExpectPowerAssert}).
 */
public final class ExpectDelegate {
    ExpectDelegate() {
    }
}
