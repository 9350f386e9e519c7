package dev.sluice.playbook.groovy;

/**
 * The {@code expect('name') { … }} block: plain Groovy that returns something true (Groovy truth) when the check holds.
 * It allows no keywords; tiers and parameters are visible by name, and every tier call reads inside the step's
 * transactions.
 */
public final class ExpectDelegate {
    ExpectDelegate() {
    }
}
