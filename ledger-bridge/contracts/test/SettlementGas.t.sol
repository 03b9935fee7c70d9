// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlementBase} from "./utils/SettlementBase.sol";

/// Gas of push settlement per batch size (payees new to the token), written by forge as named
/// figures to snapshots/SettlementGas.json (docs/BENCHMARKS.md, "Contracts: forge gas snapshot").
/// Each figure is the call's execution gas, without the transaction's 21k base and calldata, so it
/// is below SettlementGasIT's receipts by about those.
contract SettlementGasTest is SettlementBase {
    function test_gas_proposeAndFinalize_1() public {
        _measure(1);
    }

    function test_gas_proposeAndFinalize_10() public {
        _measure(10);
    }

    function test_gas_proposeAndFinalize_100() public {
        _measure(100);
    }

    /// A warm-up batch first, so the figures are those of a deployment's later batches.
    function _measure(uint256 n) internal {
        fee(1 + n);
        vm.roll(101);
        (address[] memory p1, uint256[] memory a1) = pay1(alice, 1);
        bytes32 first = propose(100, 100, p1, a1);
        rollPast(first);
        s.finalize(first, p1, a1);
        address[] memory p = new address[](n);
        uint256[] memory a = new uint256[](n);
        for (uint256 i = 0; i < n; i++) (p[i], a[i]) = (address(uint160(0xB000 + i)), 1);
        uint256 end = vm.getBlockNumber() - 1;
        bytes32 id = idOf(101, end, 0);
        vm.prank(settler);
        s.propose(id, 101, end, 0, 1, p, a, ROOT);
        string memory suffix = string.concat(vm.toString(n), "_new_payees");
        vm.snapshotGasLastCall("SettlementGas", string.concat("propose_", suffix));
        rollPast(id);
        s.finalize(id, p, a);
        vm.snapshotGasLastCall("SettlementGas", string.concat("finalize_", suffix));
    }
}
