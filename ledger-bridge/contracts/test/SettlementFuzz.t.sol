// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlementBase} from "./utils/SettlementBase.sol";
import {Settlement} from "../src/Settlement.sol";

/// Settlement under fuzzed amounts, ids, windows and bonds.
contract SettlementFuzzTest is SettlementBase {
    /// Any split of any fees across up to 50 payees settles exactly: each payee gets its amount,
    /// the rest stays escrowed, the proposer's bond comes back.
    function testFuzz_anySplitSettlesExactly(uint256 fees, uint256 total, uint256 n, uint256 seed) public {
        fees = bound(fees, 1, 1e30 / 2);
        total = bound(total, 1, fees);
        n = bound(n, 1, 50);
        fee(fees);
        vm.roll(101);
        address[] memory p = new address[](n);
        uint256[] memory a = new uint256[](n);
        uint256 left = total;
        for (uint256 i = 0; i < n; i++) {
            p[i] = address(uint160(0xA000 + i));
            a[i] = i == n - 1 ? left : bound(uint256(keccak256(abi.encode(seed, i))), 0, left);
            left -= a[i];
        }
        uint256 settlerBefore = token.balanceOf(settler);
        bytes32 id = propose(100, 100, p, a);
        rollPast(id);
        s.finalize(id, p, a);
        uint256 paid;
        for (uint256 i = 0; i < n; i++) {
            assertEq(token.balanceOf(p[i]), a[i], "payee");
            paid += a[i];
        }
        assertEq(paid, total, "paid");
        assertEq(s.totalSettled(), total, "totalSettled");
        assertEq(s.escrowed(), fees - total, "escrowed");
        assertEq(token.balanceOf(address(s)), fees - total, "escrow balance");
        assertEq(token.balanceOf(settler), settlerBefore, "bond back");
    }

    /// An id not derived from its window, sub-batch and chain reverts.
    function testFuzz_idNotFromWindowReverts(bytes32 id, uint256 start, uint256 end, uint256 subBatch) public {
        end = bound(end, 0, 99);
        start = bound(start, 0, end);
        subBatch = bound(subBatch, 0, type(uint32).max - 1);
        bytes32 expected = idOf(start, end, subBatch);
        vm.assume(id != expected);
        fee(1);
        (address[] memory p, uint256[] memory a) = pay1(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.BatchIdMismatch.selector, id, expected));
        vm.prank(settler);
        s.propose(id, start, end, subBatch, subBatch + 1, p, a, ROOT);
    }

    /// A batch over the fees paid up to its window's end reverts, whatever later fees came in.
    function testFuzz_overCapReverts(uint256 fees, uint256 later, uint256 excess) public {
        fees = bound(fees, 0, 1e27);
        later = bound(later, 0, 1e27);
        excess = bound(excess, 1, 1e27);
        if (fees > 0) fee(fees);
        vm.roll(101);
        if (later > 0) fee(later);
        vm.roll(102);
        (address[] memory p, uint256[] memory a) = pay2(fees, excess);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowCapExceeded.selector, fees + excess, fees));
        propose(100, 100, p, a);
    }

    /// A challenge upheld or rejected moves exactly the bonds, to the right side, for any bonds.
    function testFuzz_bondsGoToTheWinner(uint96 pBond, uint96 cBond, bool upheld) public {
        pBond = uint96(bound(pBond, 0, 500 ether));
        cBond = uint96(bound(cBond, 0, 500 ether));
        vm.prank(admin);
        s.setChallengeParams(WINDOW, pBond, cBond);
        fee(10);
        vm.roll(101);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        uint256 settlerBefore = token.balanceOf(settler);
        uint256 challengerBefore = token.balanceOf(challenger);
        bytes32 id = propose(100, 100, p, a);
        vm.prank(challenger);
        s.challenge(id);
        assertEq(s.bondsHeld(), uint256(pBond) + cBond, "held");
        vm.prank(admin);
        s.resolve(id, upheld);
        if (upheld) {
            assertEq(token.balanceOf(challenger), challengerBefore + pBond, "challenger wins the proposer's bond");
            assertEq(token.balanceOf(settler), settlerBefore - pBond, "proposer loses it");
            assertEq(s.bondsHeld(), 0, "none held");
        } else {
            assertEq(token.balanceOf(treasury), cBond, "treasury takes the challenger's");
            s.finalize(id, p, a);
            assertEq(token.balanceOf(settler), settlerBefore, "proposer keeps its own");
            assertEq(token.balanceOf(challenger), challengerBefore - cBond, "challenger loses it");
        }
        assertEq(s.escrowed(), upheld ? 10 : 0, "escrowed");
        assertEq(token.balanceOf(address(s)), s.escrowed() + s.bondsHeld(), "balance = escrowed + bonds");
    }

    /// Whatever the window, a challenge is taken up to its deadline and finalization only after.
    function testFuzz_deadlineSplitsChallengeFromFinalize(uint64 windowBlocks, uint256 at) public {
        windowBlocks = uint64(bound(windowBlocks, 1, 1_000_000));
        vm.prank(admin);
        s.setChallengeParams(windowBlocks, P_BOND, C_BOND);
        fee(10);
        vm.roll(101);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        bytes32 id = propose(100, 100, p, a);
        uint256 deadline = 101 + uint256(windowBlocks);
        at = bound(at, 101, deadline + 5);
        vm.roll(at);
        if (at <= deadline) {
            vm.expectRevert(abi.encodeWithSelector(Settlement.ChallengeWindowOpen.selector, id, deadline, at));
            s.finalize(id, p, a);
            vm.prank(challenger);
            s.challenge(id);
        } else {
            vm.expectRevert(abi.encodeWithSelector(Settlement.ChallengeWindowClosed.selector, id, deadline, at));
            vm.prank(challenger);
            s.challenge(id);
            s.finalize(id, p, a);
        }
    }
}
