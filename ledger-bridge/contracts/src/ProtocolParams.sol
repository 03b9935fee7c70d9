// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title The protocol's parameters, changed only by token-holder governance (its owner is the timelock).
/// @notice Every change emits the whole parameter set with a version, so the pipeline applies the
/// params in force at any block from the log alone. Similarities are fixed-point parts per million.
contract ProtocolParams is Ownable {
    struct Params {
        uint16 contributorBps;
        uint16 ownerBps;
        uint16 protocolBps;
        uint16 topK;
        uint32 similarityThresholdPpm;
        uint32 duplicateBoundPpm;
        uint256 minPayout;
        uint64 settlementWindowBlocks;
        uint32 maxPayeesPerBatch;
    }

    error InvalidParams(string reason);

    event ParamsChanged(
        uint64 indexed version,
        uint16 contributorBps,
        uint16 ownerBps,
        uint16 protocolBps,
        uint16 topK,
        uint32 similarityThresholdPpm,
        uint32 duplicateBoundPpm,
        uint256 minPayout,
        uint64 settlementWindowBlocks,
        uint32 maxPayeesPerBatch
    );

    Params private _params;
    uint64 public version;

    constructor(address governance, Params memory initial) Ownable(governance) {
        _set(initial);
    }

    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice Only the owner (the timelock executing a passed proposal) may change the params.
    function setParams(Params calldata next) external onlyOwner {
        _set(next);
    }

    function _set(Params memory p) private {
        if (uint256(p.contributorBps) + p.ownerBps + p.protocolBps != 10_000) revert InvalidParams("bps must sum to 10000");
        if (p.topK == 0) revert InvalidParams("topK must be positive");
        if (p.similarityThresholdPpm > 1_000_000 || p.duplicateBoundPpm > 1_000_000) {
            revert InvalidParams("similarities are at most 1000000 ppm");
        }
        if (p.settlementWindowBlocks == 0) revert InvalidParams("settlement window must be positive");
        if (p.maxPayeesPerBatch == 0) revert InvalidParams("maxPayeesPerBatch must be positive");
        _params = p;
        version += 1;
        emit ParamsChanged(
            version,
            p.contributorBps,
            p.ownerBps,
            p.protocolBps,
            p.topK,
            p.similarityThresholdPpm,
            p.duplicateBoundPpm,
            p.minPayout,
            p.settlementWindowBlocks,
            p.maxPayeesPerBatch
        );
    }
}
