/** The built-in demo workspace (CORTEX 1.0-shaped tiers). Knows tiers and workspaces; must not know the console or playbooks. */
package dev.sluice.demo;
