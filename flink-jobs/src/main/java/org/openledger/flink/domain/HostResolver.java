package org.openledger.flink.domain;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Name resolution as the fetcher uses it: injectable, so tests can make a name resolve to loopback
 * without a network, and serializable, so it travels with the Flink function.
 */
@FunctionalInterface
public interface HostResolver extends Serializable {

  /** Every address of {@code host}; throws when there is none. */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The system's resolver. */
  static HostResolver system() {
    return host -> List.of(InetAddress.getAllByName(host));
  }
}
