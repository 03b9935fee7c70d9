// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

interface IDatanetExists {
    function exists(uint256 datanetId) external view returns (bool);
}

/// @title Models trained on Datanets, with their owner and attribution method.
/// @notice Registration is permissionless (the model's owner is the caller); the model owner alone
/// may hand ownership on. Inference fees of a model are attributed over its Datanets' contributions.
contract ModelRegistry {
    enum AttributionMethod {
        EMBEDDING,
        PRECOMPUTED
    }

    struct Model {
        address owner;
        AttributionMethod method;
        uint256[] datanetIds;
        string name;
    }

    error UnknownDatanet(uint256 datanetId);
    error UnknownModel(uint256 modelId);
    error NoDatanets();
    error NotModelOwner(address account, uint256 modelId);

    event ModelRegistered(
        uint256 indexed modelId, address indexed owner, uint256[] datanetIds, uint8 method, string name
    );
    event ModelOwnerChanged(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    IDatanetExists public immutable datanets;
    uint256 public modelCount;
    mapping(uint256 => Model) private _models;

    constructor(IDatanetExists datanets_) {
        datanets = datanets_;
    }

    function registerModel(uint256[] calldata datanetIds, AttributionMethod method, string calldata name)
        external
        returns (uint256 modelId)
    {
        if (datanetIds.length == 0) revert NoDatanets();
        for (uint256 i = 0; i < datanetIds.length; i++) {
            if (!datanets.exists(datanetIds[i])) revert UnknownDatanet(datanetIds[i]);
        }
        modelId = ++modelCount;
        _models[modelId] = Model(msg.sender, method, datanetIds, name);
        emit ModelRegistered(modelId, msg.sender, datanetIds, uint8(method), name);
    }

    /// @notice Only the current owner hands a model on (the new owner earns its share from then on).
    function transferModel(uint256 modelId, address newOwner) external {
        Model storage m = _models[modelId];
        if (m.owner == address(0)) revert UnknownModel(modelId);
        if (m.owner != msg.sender) revert NotModelOwner(msg.sender, modelId);
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
