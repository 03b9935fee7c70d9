// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {MAX_BATCH_PAYEES} from "./InputLimits.sol";

/// @title The protocol's parameters, changed only by token-holder governance (its owner is the timelock).
/// @notice Every change emits the whole parameter set with a version, so the pipeline applies the
/// params in force at any block from the log alone. Similarities are fixed-point parts per million.
/// The share rule turns an inference's ranked scores into the weights its contributor pool is split
/// by (integer arithmetic in the pipeline, docs/PAYMENTS.md): 0 LINEAR (weight = score in ppm),
/// 1 TOP1 (the best-ranked contribution takes the pool), 2 POWER (weight = (score - threshold + 1)^p,
/// p = shareRuleParam, 1 to 8).
/// The minimum inference fee and contribution stake (wei) make spam cost something; the market and
/// the Datanet registry read them at each call.
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
        uint8 shareRule;
        uint32 shareRuleParam;
    }

    uint8 public constant SHARE_LINEAR = 0;
    uint8 public constant SHARE_TOP1 = 1;
    uint8 public constant SHARE_POWER = 2;
    /// @notice The largest POWER exponent: the pipeline keeps weights exact integers up to 2^62.
    uint32 public constant MAX_POWER = 8;

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
        uint32 maxPayeesPerBatch,
        uint8 shareRule,
        uint32 shareRuleParam
    );

    /// @notice A new minimum inference fee and contribution stake floor (wei); not part of
    /// ParamsChanged, whose layout the pipeline's schemas fix.
    event MinimumsChanged(uint256 minInferenceFee, uint256 minContributionStake);

    Params private _params;
    uint64 public version;
    /// @notice The smallest fee the market accepts for one inference (wei).
    uint256 public minInferenceFee;
    /// @notice The floor of every Datanet's minimum stake and of every contribution's stake (wei).
    uint256 public minContributionStake;

    constructor(address governance, Params memory initial, uint256 minInferenceFee_, uint256 minContributionStake_)
        Ownable(governance)
    {
        _set(initial);
        _setMinimums(minInferenceFee_, minContributionStake_);
    }

    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice Only the owner (the timelock executing a passed proposal) may change the params.
    function setParams(Params calldata next) external onlyOwner {
        _set(next);
    }

    /// @notice Only the owner (the timelock executing a passed proposal) may change the minimums.
    function setMinimums(uint256 minInferenceFee_, uint256 minContributionStake_) external onlyOwner {
        _setMinimums(minInferenceFee_, minContributionStake_);
    }

    function _setMinimums(uint256 fee, uint256 stake) private {
        minInferenceFee = fee;
        minContributionStake = stake;
        emit MinimumsChanged(fee, stake);
    }

    function _set(Params memory p) private {
        if (uint256(p.contributorBps) + p.ownerBps + p.protocolBps != 10_000) revert InvalidParams("bps must sum to 10000");
        if (p.topK == 0) revert InvalidParams("topK must be positive");
        if (p.similarityThresholdPpm > 1_000_000 || p.duplicateBoundPpm > 1_000_000) {
            revert InvalidParams("similarities are at most 1000000 ppm");
        }
        if (p.settlementWindowBlocks == 0) revert InvalidParams("settlement window must be positive");
        if (p.maxPayeesPerBatch == 0) revert InvalidParams("maxPayeesPerBatch must be positive");
        // Settlement refuses a larger batch: the payment job would cut batches it can never pay.
        if (p.maxPayeesPerBatch > MAX_BATCH_PAYEES) revert InvalidParams("maxPayeesPerBatch must be at most 1000");
        if (p.shareRule > SHARE_POWER) revert InvalidParams("shareRule must be 0 LINEAR, 1 TOP1 or 2 POWER");
        if (p.shareRule == SHARE_POWER) {
            if (p.shareRuleParam == 0 || p.shareRuleParam > MAX_POWER) {
                revert InvalidParams("POWER takes an exponent of 1 to 8");
            }
        } else if (p.shareRuleParam != 0) {
            revert InvalidParams("LINEAR and TOP1 take no parameter (0)");
        }
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
            p.maxPayeesPerBatch,
            p.shareRule,
            p.shareRuleParam
        );
    }
}
