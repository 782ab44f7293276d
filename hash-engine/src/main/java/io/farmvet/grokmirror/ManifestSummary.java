package io.farmvet.grokmirror;

/**
 * What one read of a manifest saw.
 *
 * @param repositories keys read
 * @param withoutFingerprint keys whose fingerprint was absent or null
 * @param bytes bytes of JSON text read (decompressed)
 * @param gzipped whether the manifest came gzip-compressed
 */
public record ManifestSummary(long repositories, long withoutFingerprint, long bytes, boolean gzipped) {}
