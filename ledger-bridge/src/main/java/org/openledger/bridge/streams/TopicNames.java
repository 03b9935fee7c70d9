package org.openledger.bridge.streams;

import org.openledger.schemas.Topic;

/**
 * The actual names of the pipeline's topics for one deployment: the declared names behind an
 * optional prefix, so tests and side-by-side deployments never share topics.
 */
public record TopicNames(String prefix) {

  public static final TopicNames DEFAULT = new TopicNames("");

  public String of(Topic topic) {
    return prefix + topic.name();
  }
}
