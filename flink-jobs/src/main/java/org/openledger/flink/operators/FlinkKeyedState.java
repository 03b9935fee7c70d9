package org.openledger.flink.operators;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * {@link KeyedState}'s shapes over Flink keyed state, scoped to the operator's current key: how the
 * operators hand their state to the Flink-free cores.
 */
final class FlinkKeyedState {

  private FlinkKeyedState() {}

  static <K, V> KeyedState.Table<K, V> table(MapState<K, V> state) {
    return new KeyedState.Table<>() {
      @Override
      public V get(K key) throws Exception {
        return state.get(key);
      }

      @Override
      public void put(K key, V value) throws Exception {
        state.put(key, value);
      }

      @Override
      public void remove(K key) throws Exception {
        state.remove(key);
      }

      @Override
      public boolean contains(K key) throws Exception {
        return state.contains(key);
      }

      @Override
      public Iterable<V> values() throws Exception {
        return state.values();
      }
    };
  }

  static <T> KeyedState.Cell<T> cell(ValueState<T> state) {
    return new KeyedState.Cell<>() {
      @Override
      public T value() throws Exception {
        return state.value();
      }

      @Override
      public void update(T value) throws Exception {
        state.update(value);
      }
    };
  }

  static <T> KeyedState.Bag<T> bag(ListState<T> state) {
    return new KeyedState.Bag<>() {
      @Override
      public Iterable<T> get() throws Exception {
        return state.get();
      }

      @Override
      public void update(List<T> values) throws Exception {
        state.update(values);
      }
    };
  }
}
