/**
 * Probes: read a fact from a service beside the databases (seed 002 counts Qdrant points and Neo4j nodes over HTTP).
 * Uses only the JDK's HttpClient; knows nothing of tiers, playbooks or the console.
 *
 * <p>Operators reach it as {@code http} in playbook steps; the public types are wiring, with no compatibility promise.
 */
package dev.sluice.probe;
