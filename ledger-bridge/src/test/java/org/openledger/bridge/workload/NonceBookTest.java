package org.openledger.bridge.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NonceBookTest {

  @Test
  void shouldCountUpFromTheChainsCountWhenTaking() {
    NonceBook book = new NonceBook();
    book.start("a", 7);
    book.start("b", 0);

    assertThat(book.take("a")).isEqualTo(7);
    assertThat(book.take("a")).isEqualTo(8);
    assertThat(book.take("b")).isEqualTo(0);
    assertThat(book.peek("a")).isEqualTo(9);
  }

  @Test
  void shouldNeverMoveAnAccountBackWhenStartedAgain() {
    NonceBook book = new NonceBook();
    book.start("a", 5);
    book.take("a");
    book.start("a", 3);

    assertThat(book.peek("a")).isEqualTo(6);
    book.start("a", 10);
    assertThat(book.take("a")).isEqualTo(10);
  }

  @Test
  void shouldRefuseAnAccountItDoesNotCount() {
    assertThatThrownBy(() -> new NonceBook().take("x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldFindNoHoleWhenEveryNonceAboveTheChainsCountIsKnownToTheNode() {
    Map<Long, String> inFlight = Map.of(4L, "h4", 5L, "h5", 6L, "h6");

    assertThat(NonceBook.holes(4, 7, inFlight, h -> true)).isEmpty();
  }

  @Test
  void shouldFindTheDroppedNoncesWhenTheNodeForgotSomeTransactions() {
    Map<Long, String> inFlight = Map.of(4L, "h4", 5L, "h5", 6L, "h6");

    assertThat(NonceBook.holes(4, 7, inFlight, Set.of("h4", "h6")::contains)).containsExactly(5L);
  }

  @Test
  void shouldCountANonceWithoutATransactionInFlightAsAHoleWhenAReorgTookItsBlock() {
    // Nonce 3 was seen mined (so no longer in flight), then the chain went back to count 3.
    Map<Long, String> inFlight = Map.of(4L, "h4");

    assertThat(NonceBook.holes(3, 5, inFlight, h -> true)).containsExactly(3L);
  }

  @Test
  void shouldFindEveryNonceWhenTheNodeClearedItsPool() {
    Map<Long, String> inFlight = Map.of(10L, "a", 11L, "b");

    assertThat(NonceBook.holes(10, 12, inFlight, h -> false)).containsExactly(10L, 11L);
  }
}
