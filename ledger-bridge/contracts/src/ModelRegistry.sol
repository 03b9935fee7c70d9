// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {
    TooLong, TooMany, ZeroAddress, MAX_ENCODER_BYTES, MAX_MODEL_DATANETS, MAX_NAME_BYTES
} from "./InputLimits.sol";

interface IDatanetExists {
    function exists(uint256 datanetId) external view returns (bool);
}

/// @title Models trained on Datanets, with their owner, attribution method and encoder.
/// @notice Registration is permissionless (the model's owner is the caller); the model owner alone
/// may hand ownership on. Inference fees of a model are attributed over its Datanets' contributions.
/// The name and the Datanet list are capped (InputLimits.sol) so no log outgrows a Kafka record; the
/// owner, who is paid a share of every fee, is never the zero address. The encoder names the vector
/// space an embedding-scored model's inferences are compared in; empty means the pipeline's default,
/// and the pipeline attributes only with encoders its operators enabled (docs/EVENTS.md).
contract ModelRegistry {
    enum AttributionMethod {
        EMBEDDING,
        PRECOMPUTED,
        SPAN
    }

    struct Model {
        address owner;
        AttributionMethod method;
        uint256[] datanetIds;
        string name;
        string encoder;
    }

    error UnknownDatanet(uint256 datanetId);
    error UnknownModel(uint256 modelId);
    error NoDatanets();
    error DuplicateDatanet(uint256 datanetId);
    error NotModelOwner(address account, uint256 modelId);
    error BadEncoder(string encoder);

    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        uint256[] datanetIds,
        uint8 method,
        string name,
        string encoder
    );
    event ModelOwnerChanged(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    IDatanetExists public immutable datanets;
    uint256 public modelCount;
    mapping(uint256 => Model) private _models;

    constructor(IDatanetExists datanets_) {
        datanets = datanets_;
    }

    /// @notice Anyone may register a model on 1 to 64 distinct existing Datanets, with a name of at
    /// most 256 bytes; the caller owns it. Its encoder is the pipeline's default.
    function registerModel(uint256[] calldata datanetIds, AttributionMethod method, string calldata name)
        external
        returns (uint256 modelId)
    {
        return _register(datanetIds, method, name, "");
    }

    /// @notice As above, with the encoder its inferences are scored by: at most 64 bytes of
    /// [a-z0-9.-], empty for the pipeline's default.
    function registerModel(
        uint256[] calldata datanetIds,
        AttributionMethod method,
        string calldata name,
        string calldata encoder
    ) external returns (uint256 modelId) {
        bytes calldata e = bytes(encoder);
        if (e.length > MAX_ENCODER_BYTES) revert TooLong("encoder", e.length, MAX_ENCODER_BYTES);
        for (uint256 i = 0; i < e.length; i++) {
            bytes1 c = e[i];
            if (!((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "." || c == "-")) {
                revert BadEncoder(encoder);
            }
        }
        return _register(datanetIds, method, name, encoder);
    }

    function _register(
        uint256[] calldata datanetIds,
        AttributionMethod method,
        string calldata name,
        string memory encoder
    ) private returns (uint256 modelId) {
        uint256 n = datanetIds.length;
        if (n == 0) revert NoDatanets();
        if (n > MAX_MODEL_DATANETS) revert TooMany("datanetIds", n, MAX_MODEL_DATANETS);
        if (bytes(name).length > MAX_NAME_BYTES) revert TooLong("name", bytes(name).length, MAX_NAME_BYTES);
        for (uint256 i = 0; i < n; i++) {
            uint256 id = datanetIds[i];
            // A repeat means nothing more than once, and no consumer need ask whether to count it
            // twice; n <= 64 bounds the pairs compared.
            for (uint256 j = 0; j < i; j++) {
                if (datanetIds[j] == id) revert DuplicateDatanet(id);
            }
            if (!datanets.exists(id)) revert UnknownDatanet(id);
        }
        modelId = ++modelCount;
        _models[modelId] = Model(msg.sender, method, datanetIds, name, encoder);
        emit ModelRegistered(modelId, msg.sender, datanetIds, uint8(method), name, encoder);
    }

    /// @notice Only the current owner hands a model on (the new owner earns its share from then on),
    /// never to the zero address: the pipeline could not pay it, and a zero owner would also make the
    /// model read as unregistered.
    function transferModel(uint256 modelId, address newOwner) external {
        Model storage m = _models[modelId];
        if (m.owner == address(0)) revert UnknownModel(modelId);
        if (m.owner != msg.sender) revert NotModelOwner(msg.sender, modelId);
        if (newOwner == address(0)) revert ZeroAddress("newOwner");
        emit ModelOwnerChanged(modelId, m.owner, newOwner);
        m.owner = newOwner;
    }

    function model(uint256 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    function exists(uint256 modelId) external view returns (bool) {
        return _models[modelId].owner != address(0);
    }
}
