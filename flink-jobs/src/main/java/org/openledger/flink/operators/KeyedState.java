package org.openledger.flink.operators;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few shapes of keyed state the jobs' Flink-free cores ({@link PaymentLedger}, {@link
 * AttributionCore}) read and write: a map, a value, a list. The operators back them with Flink
 * state ({@link FlinkKeyedState}); {@code bin/openledger replay} with the plain heap versions here,
 * so both run the same rules over the same operations.
 */
public final class KeyedState {

  private KeyedState() {}

  /** A keyed map (Flink's MapState in the job, a HashMap in replay). */
  public interface Table<K, V> {
    V get(K key) throws Exception;

    void put(K key, V value) throws Exception;

    void remove(K key) throws Exception;

    boolean contains(K key) throws Exception;

    Iterable<V> values() throws Exception;
  }

  /** One value; null until first set. */
  public interface Cell<T> {
    T value() throws Exception;

    void update(T value) throws Exception;
  }

  /** A list, replaced as a whole. */
  public interface Bag<T> {
    Iterable<T> get() throws Exception;

    void update(List<T> values) throws Exception;
  }

  public static <K, V> Table<K, V> heapTable() {
    return new HeapTable<>();
  }

  public static <T> Cell<T> heapCell() {
    return new HeapCell<>();
  }

  public static <T> Bag<T> heapBag() {
    return new HeapBag<>();
  }

  private static final class HeapTable<K, V> implements Table<K, V> {
    private final Map<K, V> map = new HashMap<>();

    @Override
    public V get(K key) {
      return map.get(key);
    }

    @Override
    public void put(K key, V value) {
      map.put(key, value);
    }

    @Override
    public void remove(K key) {
      map.remove(key);
    }

    @Override
    public boolean contains(K key) {
      return map.containsKey(key);
    }

    @Override
    public Iterable<V> values() {
      return map.values();
    }
  }

  private static final class HeapCell<T> implements Cell<T> {
    private T value;

    @Override
    public T value() {
      return value;
    }

    @Override
    public void update(T next) {
      value = next;
    }
  }

  private static final class HeapBag<T> implements Bag<T> {
    private List<T> values = List.of();

    @Override
    public Iterable<T> get() {
      return values;
    }

    @Override
    public void update(List<T> next) {
      values = List.copyOf(next);
    }
  }
}
