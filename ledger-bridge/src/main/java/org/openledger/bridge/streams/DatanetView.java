package org.openledger.bridge.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;

/**
 * A Datanet as the balances API shows it: who owns it, how many contributions it holds and how many
 * of them are still active (not rejected, slashed or withdrawn), and the OPEN staked on them.
 */
public record DatanetView(
    long datanetId,
    String name,
    String owner,
    String minStake,
    long contributions,
    long activeContributions,
    String activeStake) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static DatanetView created(long id, String name, String owner, BigInteger minStake) {
    return new DatanetView(id, name, owner, minStake.toString(), 0, 0, "0");
  }

  DatanetView contributed(int sign, BigInteger stake) {
    return new DatanetView(
        datanetId,
        name,
        owner,
        minStake,
        contributions + sign,
        activeContributions + sign,
        new BigInteger(activeStake).add(stake.multiply(BigInteger.valueOf(sign))).toString());
  }

  DatanetView deactivated(int sign, BigInteger stake) {
    return new DatanetView(
        datanetId,
        name,
        owner,
        minStake,
        contributions,
        activeContributions - sign,
        new BigInteger(activeStake).subtract(stake.multiply(BigInteger.valueOf(sign))).toString());
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static DatanetView fromJson(String json) {
    try {
      return JSON.readValue(json, DatanetView.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt datanet view: " + e.getMessage(), e);
    }
  }
}
