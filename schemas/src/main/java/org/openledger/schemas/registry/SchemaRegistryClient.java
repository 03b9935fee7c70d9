package org.openledger.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent Schema Registry REST API (Confluent's own client is not
 * available here). It speaks only what the pipeline needs: register, look up by id and set or test
 * compatibility; any registry serving that API (Apicurio's ccompat, Confluent) works.
 */
public final class SchemaRegistryClient implements SchemaRegistry {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private final URI baseUri;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
  private final Map<String, Integer> registered = new ConcurrentHashMap<>();

  public SchemaRegistryClient(URI baseUri) {
    String base = Objects.requireNonNull(baseUri, "baseUri").toString();
    this.baseUri = URI.create(base.endsWith("/") ? base : base + "/");
    // HTTP/1.1: by default the JDK client asks a plain-http server to upgrade to HTTP/2 (h2c),
    // which the registry (Vert.x) accepts; on such a connection a schema lookup was seen to hang
    // for minutes past its 10 s request timeout, stalling a Flink source's deserializer.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * Registers {@code schema} under {@code subject}; the same schema always yields the same id, so
   * the answer is cached and a producer asks the registry once per schema, not per record.
   */
  @Override
  public int register(String subject, Schema schema) {
    return registered.computeIfAbsent(
        subject + "\u0000" + schema, key -> registerNow(subject, schema));
  }

  private int registerNow(String subject, Schema schema) {
    JsonNode reply = send("POST", "subjects/" + subject + "/versions", schemaBody(schema));
    int id = reply.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(200, "registry returned no id for subject " + subject);
    }
    byId.putIfAbsent(id, schema);
    return id;
  }

  /** The schema with this id (cached: ids are immutable in a registry). */
  @Override
  public Schema schemaById(int id) {
    return byId.computeIfAbsent(
        id,
        key ->
            new Schema.Parser()
                .parse(send("GET", "schemas/ids/" + key, null).path("schema").asText()));
  }

  /** Sets the compatibility level (e.g. {@code BACKWARD}) of one subject. */
  public void setCompatibility(String subject, String level) {
    send("PUT", "config/" + subject, "{\"compatibility\":\"" + level + "\"}");
  }

  /** Whether {@code schema} is compatible with the latest version registered under the subject. */
  public boolean isCompatible(String subject, Schema schema) {
    return send(
            "POST", "compatibility/subjects/" + subject + "/versions/latest", schemaBody(schema))
        .path("is_compatible")
        .asBoolean(false);
  }

  private String schemaBody(Schema schema) {
    try {
      return json.writeValueAsString(Map.of("schema", schema.toString()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode schema as JSON", e);
    }
  }

  private JsonNode send(String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUri.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("Accept", CONTENT_TYPE);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new SchemaRegistryException(
            response.statusCode(), method + " " + path + " failed: " + response.body());
      }
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new SchemaRegistryException(0, method + " " + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(0, method + " " + path + " interrupted", e);
    }
  }
}
