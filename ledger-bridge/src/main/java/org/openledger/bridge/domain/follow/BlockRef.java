package org.openledger.bridge.domain.follow;

/** A block header as far as following needs it: its number, its hash and its parent's hash. */
public record BlockRef(long number, String hash, String parentHash) {}
