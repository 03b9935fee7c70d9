package org.openledger.flink.attribution;

/** A registered model: the Datanets its inferences are attributed to. */
public record Model(long id, String owner, long[] datanetIds, String eventId) {}
