// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ProtocolParams} from "../../src/ProtocolParams.sol";

/// Parameters every test starts from: valid, with the minimums the assertions name.
library Fixtures {
    uint256 internal constant MIN_FEE = 1e15;
    uint256 internal constant MIN_STAKE = 1 ether;

    function params() internal pure returns (ProtocolParams.Params memory) {
        return ProtocolParams.Params({
            contributorBps: 7000,
            ownerBps: 2000,
            protocolBps: 1000,
            topK: 5,
            similarityThresholdPpm: 500_000,
            duplicateBoundPpm: 950_000,
            minPayout: 0,
            settlementWindowBlocks: 10,
            maxPayeesPerBatch: 100,
            shareRule: 0,
            shareRuleParam: 0
        });
    }

    /// A string of `n` bytes, for the length caps.
    function str(uint256 n) internal pure returns (string memory) {
        bytes memory b = new bytes(n);
        for (uint256 i = 0; i < n; i++) b[i] = "a";
        return string(b);
    }
}
