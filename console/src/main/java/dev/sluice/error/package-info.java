/**
 * The root exception and its error codes, shared by every layer. Knows nothing else of Sluice.
 */
package dev.sluice.error;
