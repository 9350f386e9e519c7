/**
 * The built-in demo workspace (CORTEX 1.0-shaped tiers). Knows tiers and workspaces; must not know the console or playbooks.
 *
 * <p>The demo workspace's shape is for trying Sluice, with no compatibility promise.
 */
package dev.sluice.demo;
