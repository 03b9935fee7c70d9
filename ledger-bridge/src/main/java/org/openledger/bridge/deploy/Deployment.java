package org.openledger.bridge.deploy;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the project's contracts live on one chain: what the follower, the jobs and the settlement
 * writer read to find them. {@code startBlock} is the first block the follower must read.
 */
public record Deployment(
    long chainId,
    long startBlock,
    String evmVersion,
    Map<String, DeployedContract> contracts,
    Roles roles) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public Deployment {
    contracts = java.util.Collections.unmodifiableMap(new TreeMap<>(contracts));
  }

  /** One deployed contract: its address and the SHA-256 of the ABI it was deployed with. */
  public record DeployedContract(String address, String abiSha256) {}

  /**
   * The accounts holding each role (addresses only; keys never leave their owners). {@code
   * governance} is the timelock: it holds every admin role, owns the params and alone holds
   * SLASHER_ROLE (it decides flags); {@code flagger} is the pipeline's key that flags
   * contributions; the deployer holds no role after deployment. A file written before flags named
   * that account {@code slasher}: it is read as the flagger, so {@code deploy} can find the old set
   * not live (other ABIs) and deploy anew instead of failing on the file.
   */
  public record Roles(
      String deployer,
      String settler,
      @JsonAlias("slasher") String flagger,
      String treasury,
      String governance) {}

  /** Every contract's address, for filters over the whole deployment. */
  public java.util.List<String> contractAddresses() {
    return contracts.values().stream().map(DeployedContract::address).toList();
  }

  /** Contract name to address, as the decoder takes them. */
  public Map<String, String> addressesByName() {
    Map<String, String> byName = new TreeMap<>();
    contracts.forEach((name, c) -> byName.put(name, c.address()));
    return byName;
  }

  public String address(String contract) {
    DeployedContract c = contracts.get(contract);
    if (c == null) {
      throw new IllegalArgumentException("no contract " + contract + " in the deployment");
    }
    return c.address();
  }

  public void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static Deployment read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), Deployment.class);
  }
}
