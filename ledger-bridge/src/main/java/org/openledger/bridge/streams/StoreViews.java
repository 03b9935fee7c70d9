package org.openledger.bridge.streams;

import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The API's views read from the running app's state stores (interactive queries). */
final class StoreViews implements BalancesApi.Views {

  private final KafkaStreams streams;

  StoreViews(KafkaStreams streams) {
    this.streams = streams;
  }

  @Override
  public Optional<Balance> balance(String address) {
    ReadOnlyKeyValueStore<String, String> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                BalancesProcessor.BALANCES, QueryableStoreTypes.keyValueStore()));
    return Optional.ofNullable(store.get(address)).map(Balance::decode);
  }

  @Override
  public Optional<DatanetView> datanet(long datanetId) {
    ReadOnlyKeyValueStore<Long, String> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                BalancesProcessor.DATANETS, QueryableStoreTypes.keyValueStore()));
    return Optional.ofNullable(store.get(datanetId)).map(DatanetView::fromJson);
  }

  @Override
  public Optional<ModelView> model(long modelId) {
    ReadOnlyKeyValueStore<Long, String> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                BalancesProcessor.MODELS, QueryableStoreTypes.keyValueStore()));
    return Optional.ofNullable(store.get(modelId)).map(v -> ModelView.decode(modelId, v));
  }
}
