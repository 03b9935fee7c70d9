package org.openledger.bridge.streams;

/**
 * What the balances view keeps of one contribution's flag: whether a flag is open (flagged and not
 * cleared) and whether its stake is gone (slashed or withdrawn). A flag holds the stake while both
 * say so; each bit is set or unset by its event and by that event's retraction, in any order.
 */
record StakeFlags(boolean open, boolean gone) {

  static final StakeFlags NONE = new StakeFlags(false, false);

  boolean holds() {
    return open && !gone;
  }

  StakeFlags open(boolean value) {
    return new StakeFlags(value, gone);
  }

  StakeFlags gone(boolean value) {
    return new StakeFlags(open, value);
  }

  String encode() {
    return (open ? "1" : "0") + (gone ? "1" : "0");
  }

  static StakeFlags decode(String stored) {
    return stored == null ? NONE : new StakeFlags(stored.charAt(0) == '1', stored.charAt(1) == '1');
  }
}
