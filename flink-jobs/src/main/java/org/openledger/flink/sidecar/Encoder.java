package org.openledger.flink.sidecar;

/** The encoder (id and version) and backend that produced a result, recorded with it. */
public record Encoder(String id, String version, String backend) {}
