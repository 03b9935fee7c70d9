package org.openledger.flink.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The params version in force at a block, across later versions, reorgs and same-block ties. */
class ParamsHistoryTest {

  private static String hash(long block) {
    return String.format("0x%064x", block);
  }

  private static Params version(long version, long block, int logIndex) {
    return new Params(
        version,
        block,
        hash(block) + ":" + logIndex,
        3,
        100_000 * version,
        900_000,
        ShareRule.LINEAR);
  }

  @Test
  void shouldHaveNoParamsWhenNothingWasSet() {
    assertThat(ParamsHistory.<Params>empty().at(100)).isEmpty();
  }

  @Test
  void shouldHaveNoParamsBeforeTheFirstVersionsBlock() {
    ParamsHistory<Params> history = ParamsHistory.<Params>empty().with(version(1, 10, 0));

    assertThat(history.at(9)).isEmpty();
    assertThat(history.at(10)).contains(version(1, 10, 0));
    assertThat(history.at(1_000)).contains(version(1, 10, 0));
  }

  @Test
  void shouldApplyALaterVersionFromItsBlockOnWhenTwoAreSet() {
    ParamsHistory<Params> history =
        ParamsHistory.<Params>empty().with(version(1, 10, 0)).with(version(2, 20, 3));

    assertThat(history.at(19)).map(Params::version).contains(1L);
    assertThat(history.at(20)).map(Params::version).contains(2L);
    assertThat(history.at(21)).map(Params::version).contains(2L);
  }

  @Test
  void shouldOrderByBlockWhenVersionsArriveOutOfOrder() {
    ParamsHistory<Params> history =
        new ParamsHistory<>(List.of(version(2, 20, 0), version(1, 10, 0)));

    assertThat(history.versions()).extracting(Params::version).containsExactly(1L, 2L);
    assertThat(history.at(15)).map(Params::version).contains(1L);
  }

  @Test
  void shouldFallBackToTheEarlierVersionWhenALaterOneIsRemovedByReorg() {
    Params later = version(2, 20, 3);
    ParamsHistory<Params> history =
        ParamsHistory.<Params>empty().with(version(1, 10, 0)).with(later);

    ParamsHistory<Params> reorged = history.without(later.eventId());

    assertThat(reorged.at(25)).map(Params::version).contains(1L);
    assertThat(reorged.versions()).hasSize(1);
  }

  @Test
  void shouldKeepEverythingWhenRemovingAnUnknownEventId() {
    ParamsHistory<Params> history = ParamsHistory.<Params>empty().with(version(1, 10, 0));

    assertThat(history.without(hash(99) + ":0")).isEqualTo(history);
  }

  @Test
  void shouldReplaceNotDuplicateWhenTheSameEventIsAppliedTwice() {
    ParamsHistory<Params> history =
        ParamsHistory.<Params>empty().with(version(1, 10, 0)).with(version(1, 10, 0));

    assertThat(history.versions()).containsExactly(version(1, 10, 0));
  }

  @Test
  void shouldNotChangeTheOriginalWhenAddingOrRemoving() {
    ParamsHistory<Params> original = ParamsHistory.<Params>empty().with(version(1, 10, 0));

    original.with(version(2, 20, 0));
    original.without(version(1, 10, 0).eventId());

    assertThat(original.versions()).containsExactly(version(1, 10, 0));
  }

  @Test
  void shouldBreakSameBlockTiesByEventIdWhenLogIndexesHaveOneDigit() {
    ParamsHistory<Params> history =
        ParamsHistory.<Params>empty().with(version(2, 10, 5)).with(version(1, 10, 2));

    assertThat(history.versions()).extracting(Params::version).containsExactly(1L, 2L);
    assertThat(history.at(10)).map(Params::version).contains(2L);
  }

  @Test
  void shouldApplyTheLastLogOfABlockWhenTwoVersionsShareTheBlock() {
    ParamsHistory<Params> history =
        ParamsHistory.<Params>empty().with(version(1, 10, 9)).with(version(2, 10, 10));

    assertThat(history.at(10)).map(Params::version).contains(2L);
  }

  @Test
  void shouldConvertThresholdPpmToAFraction() {
    assertThat(new Params(1, 0, "e", 3, 250_000, 900_000, ShareRule.LINEAR).threshold())
        .isEqualTo(0.25);
  }

  @Test
  void shouldReadLinearWhenAVersionRestoredFromOlderStateHasNoShareRule() {
    assertThat(new Params(1, 0, "e", 3, 250_000, 900_000, null).shareRule())
        .isEqualTo(ShareRule.LINEAR);
    assertThat(new Params(2, 5, "f", 3, 250_000, 900_000, ShareRule.power(3)).shareRule())
        .isEqualTo(ShareRule.power(3));
  }
}
