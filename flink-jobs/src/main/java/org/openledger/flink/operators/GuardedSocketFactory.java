package org.openledger.flink.operators;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.function.Predicate;
import javax.net.SocketFactory;

/**
 * Sockets that refuse to connect to an address the fetch policy does not allow. The policy's {@code
 * Dns} already checks every name; this is the last line, for any path to {@code connect} that does
 * not go through it (an IP literal OkHttp parses differently, a pooled route).
 */
final class GuardedSocketFactory extends SocketFactory {

  private final Predicate<InetAddress> allowed;

  GuardedSocketFactory(Predicate<InetAddress> allowed) {
    this.allowed = allowed;
  }

  @Override
  public Socket createSocket() {
    return new GuardedSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    throw new IOException("connect by name is not supported: names go through the policy's Dns");
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    Socket socket = new GuardedSocket();
    socket.connect(new InetSocketAddress(host, port));
    return socket;
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    Socket socket = new GuardedSocket();
    socket.bind(new InetSocketAddress(localAddress, localPort));
    socket.connect(new InetSocketAddress(address, port));
    return socket;
  }

  private final class GuardedSocket extends Socket {
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress a)
          || a.getAddress() == null
          || !allowed.test(a.getAddress())) {
        throw new DeniedConnect();
      }
      super.connect(endpoint, timeout);
    }
  }

  /** A connect the policy refused. */
  static final class DeniedConnect extends IOException {
    private static final long serialVersionUID = 1L;

    DeniedConnect() {
      super("connect denied by fetch policy");
    }
  }
}
