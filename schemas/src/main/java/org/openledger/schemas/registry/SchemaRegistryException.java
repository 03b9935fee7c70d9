package org.openledger.schemas.registry;

/**
 * A registry call that failed, with the HTTP status (0 when the registry could not be reached) so
 * callers can tell an incompatible schema (409) from an outage.
 */
public final class SchemaRegistryException extends RuntimeException {

  private final int status;

  public SchemaRegistryException(int status, String message) {
    super(message);
    this.status = status;
  }

  public SchemaRegistryException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status of the failed call; 409 means an incompatible schema. */
  public int status() {
    return status;
  }
}
