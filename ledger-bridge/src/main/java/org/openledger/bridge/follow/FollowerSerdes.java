package org.openledger.bridge.follow;

import org.openledger.events.RawChainLog;
import org.openledger.pipeline.FollowerCursor;
import org.openledger.schemas.Topics;
import org.openledger.schemas.registry.SchemaRegistry;
import org.openledger.schemas.serde.ConfluentAvroSerde;

/** The follower's two value formats, for the topics its configuration names. */
public record FollowerSerdes(
    ConfluentAvroSerde<RawChainLog> raw, ConfluentAvroSerde<FollowerCursor> cursor) {

  public static FollowerSerdes of(FollowerConfig config, SchemaRegistry registry) {
    return new FollowerSerdes(
        new ConfluentAvroSerde<>(
            Topics.RAW_LOGS.withName(config.rawTopic()), registry, RawChainLog.class),
        new ConfluentAvroSerde<>(
            Topics.FOLLOWER_CURSOR.withName(config.cursorTopic()), registry, FollowerCursor.class));
  }
}
