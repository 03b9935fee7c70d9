package org.openledger.schemas;

import java.net.URI;
import org.openledger.schemas.registry.SchemaRegistryClient;

/**
 * Registers every topic's value schema under {@code <topic>-value} with compatibility BACKWARD, so
 * an incompatible schema is refused by the registry as well as by the build. Idempotent.
 */
public final class RegisterSchemas {

  private RegisterSchemas() {}

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : System.getenv("OPENLEDGER_REGISTRY_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "usage: RegisterSchemas <registry url> (or OPENLEDGER_REGISTRY_URL)");
    }
    SchemaRegistryClient registry = new SchemaRegistryClient(URI.create(url));
    for (Topic topic : Topics.ALL) {
      int id = register(registry, topic);
      System.out.printf("registered %-34s id %d%n", topic.valueSubject(), id);
    }
  }

  /** Sets BACKWARD on the subject, then registers (the same schema always gets the same id). */
  public static int register(SchemaRegistryClient registry, Topic topic) {
    registry.setCompatibility(topic.valueSubject(), "BACKWARD");
    return registry.register(topic.valueSubject(), topic.valueSchema());
  }
}
