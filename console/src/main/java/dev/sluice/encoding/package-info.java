/**
 * How Sluice encodes what it keeps: the one JSON configuration ({@link dev.sluice.encoding.Json}) every file, journal
 * line and HTTP probe is read and written with, and the one SHA-256 helper ({@link dev.sluice.encoding.Sha256}) for
 * step checksums, file digests, names derived from text and streamed table checksums.
 * <p>The bottom of the house: it knows no other Sluice package, and every package may use it.
 *
 * <p>Wiring for Sluice's own packages, with no compatibility promise.
 */
package dev.sluice.encoding;
