package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Which HTTP statuses are decisions, which are timing, and how long timing waits. */
class FetchRulesTest {

  @Test
  void shouldRetryWhenTheStatusIsTimingAndRejectWhenItIsAVerdict() {
    assertThat(FetchRules.classify(200)).isEqualTo(FetchRules.Status.OK);
    for (int code : new int[] {301, 302, 303, 307, 308}) {
      assertThat(FetchRules.classify(code)).isEqualTo(FetchRules.Status.REDIRECT);
    }
    for (int code : new int[] {408, 429, 500, 502, 503, 504, 599}) {
      assertThat(FetchRules.classify(code)).as("%d", code).isEqualTo(FetchRules.Status.TRANSIENT);
    }
    for (int code : new int[] {201, 204, 206, 300, 304, 400, 401, 403, 404, 410, 451, 600}) {
      assertThat(FetchRules.classify(code)).as("%d", code).isEqualTo(FetchRules.Status.REJECTED);
    }
  }

  @Test
  void shouldDoubleTheBackoffUpToItsCap() {
    Duration min = Duration.ofSeconds(1);
    Duration max = Duration.ofSeconds(60);

    assertThat(FetchRules.backoff(1, min, max)).isEqualTo(Duration.ofSeconds(1));
    assertThat(FetchRules.backoff(2, min, max)).isEqualTo(Duration.ofSeconds(2));
    assertThat(FetchRules.backoff(6, min, max)).isEqualTo(Duration.ofSeconds(32));
    assertThat(FetchRules.backoff(7, min, max)).isEqualTo(Duration.ofSeconds(60));
    assertThat(FetchRules.backoff(1_000_000, min, max)).isEqualTo(Duration.ofSeconds(60));
  }

  @Property
  void shouldKeepEveryBackoffBetweenItsBounds(@ForAll @IntRange(min = 0) int failures) {
    Duration d = FetchRules.backoff(failures, Duration.ofMillis(10), Duration.ofSeconds(60));

    assertThat(d).isBetween(Duration.ofMillis(10), Duration.ofSeconds(60));
  }

  @Test
  void shouldShortenALongUriInAReason() {
    assertThat(FetchRules.shorten("x".repeat(600), 512)).hasSize(513).endsWith("…");
    assertThat(FetchRules.shorten("short", 512)).isEqualTo("short");
    assertThat(FetchRules.shorten(null, 512)).isEmpty();
  }
}
