// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlementBase} from "./utils/SettlementBase.sol";
import {Settlement} from "../src/Settlement.sol";
import {TooMany, MAX_BATCH_PAYEES} from "../src/InputLimits.sol";

/// Settlement's fee record and proposals: who may call them and every check a proposal passes.
contract SettlementProposeTest is SettlementBase {
    event FeeEscrowed(uint256 amount, uint256 escrowed);

    function test_recordFee_onlyMarket() public {
        vm.expectRevert(unauthorized(alice, s.MARKET_ROLE()));
        vm.prank(alice);
        s.recordFee(1);
        vm.expectRevert(unauthorized(settler, s.MARKET_ROLE()));
        vm.prank(settler);
        s.recordFee(1);
    }

    function test_recordFee_checkpointsPerBlock() public {
        token.transfer(address(s), 10);
        vm.expectEmit(false, false, false, true);
        emit FeeEscrowed(4, 4);
        vm.prank(market);
        s.recordFee(4);
        fee(6); // same block: the checkpoint is updated
        vm.roll(101);
        fee(5);
        assertEq(s.feesThrough(99), 0, "before the first fee");
        assertEq(s.feesThrough(100), 10, "block 100");
        assertEq(s.feesThrough(101), 15, "block 101");
        assertEq(s.feesThrough(type(uint256).max), 15, "any later block");
        assertEq(s.totalFees(), 15, "totalFees");
        assertEq(s.escrowed(), 15, "escrowed");
    }

    function test_propose_takesBondAndRecords() public {
        fee(100);
        vm.roll(105);
        (address[] memory p, uint256[] memory a) = pay2(60, 40);
        uint256 before = token.balanceOf(settler);
        bytes32 id = propose(100, 104, p, a);
        Settlement.Proposal memory pr = s.proposalOf(id);
        assertTrue(pr.state == Settlement.State.Proposed, "state Proposed");
        assertEq(pr.commitment, keccak256(abi.encode(p, a)), "commitment");
        assertEq(pr.total, 100, "total");
        assertEq(pr.deadline, 105 + WINDOW, "deadline");
        assertEq(pr.proposer, settler, "proposer");
        assertEq(before - token.balanceOf(settler), P_BOND, "bond taken");
        assertEq(s.bondsHeld(), P_BOND, "bondsHeld");
        assertEq(s.totalPending(), 100, "totalPending");
        assertEq(s.escrowed(), 100, "escrowed: pending fees stay escrowed");
        Settlement.Window memory w = s.lastWindow();
        assertEq(w.start, 100, "window start");
        assertEq(w.end, 104, "window end");
        assertEq(w.subBatchCount, 1, "sub-batches");
    }

    function test_propose_onlySettler() public {
        fee(10);
        vm.roll(101);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        bytes32 id = idOf(100, 100, 0);
        vm.expectRevert(unauthorized(alice, s.SETTLER_ROLE()));
        vm.prank(alice);
        s.propose(id, 100, 100, 0, 1, p, a, ROOT);
        vm.expectRevert(unauthorized(admin, s.SETTLER_ROLE()));
        vm.prank(admin);
        s.propose(id, 100, 100, 0, 1, p, a, ROOT);
    }

    function test_propose_idMustDeriveFromWindow() public {
        fee(10);
        vm.roll(101);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        bytes32 wrong = idOf(100, 100, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.BatchIdMismatch.selector, wrong, idOf(100, 100, 0)));
        vm.prank(settler);
        s.propose(wrong, 100, 100, 0, 1, p, a, ROOT);
    }

    function test_propose_windowMustBeClosedAndValid() public {
        fee(10);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        vm.startPrank(settler);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowNotClosed.selector, 100, 100));
        s.propose(idOf(90, 100, 0), 90, 100, 0, 1, p, a, ROOT);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidWindow.selector, 99, 98));
        s.propose(idOf(99, 98, 0), 99, 98, 0, 1, p, a, ROOT);
        vm.expectRevert(abi.encodeWithSelector(Settlement.SubBatchOutOfRange.selector, 1, 1));
        s.propose(idOf(90, 99, 1), 90, 99, 1, 1, p, a, ROOT);
        vm.expectRevert(abi.encodeWithSelector(Settlement.SubBatchOutOfRange.selector, 0, 0));
        s.propose(idOf(90, 99, 0), 90, 99, 0, 0, p, a, ROOT);
        uint256 tooMany = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(Settlement.SubBatchOutOfRange.selector, 0, tooMany));
        s.propose(idOf(90, 99, 0), 90, 99, 0, tooMany, p, a, ROOT);
        vm.stopPrank();
    }

    function test_propose_windowsInOrder_subBatchesOfTheLastWindow() public {
        fee(100);
        vm.roll(110);
        (address[] memory p, uint256[] memory a) = pay1(alice, 30);
        vm.startPrank(settler);
        s.propose(idOf(100, 104, 0), 100, 104, 0, 3, p, a, ROOT);
        s.propose(idOf(100, 104, 2), 100, 104, 2, 3, p, a, ROOT); // another sub-batch, any order
        vm.expectRevert(abi.encodeWithSelector(Settlement.SubBatchCountMismatch.selector, 2, 3));
        s.propose(idOf(100, 104, 1), 100, 104, 1, 2, p, a, ROOT);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowOutOfOrder.selector, 104, 106, 100, 104));
        s.propose(idOf(104, 106, 0), 104, 106, 0, 1, p, a, ROOT);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowOutOfOrder.selector, 90, 99, 100, 104));
        s.propose(idOf(90, 99, 0), 90, 99, 0, 1, p, a, ROOT);
        s.propose(idOf(105, 109, 0), 105, 109, 0, 1, p, a, ROOT); // the next window
        // the earlier window's last sub-batch is now out of order
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowOutOfOrder.selector, 100, 104, 105, 109));
        s.propose(idOf(100, 104, 1), 100, 104, 1, 3, p, a, ROOT);
        vm.stopPrank();
    }

    function test_propose_pendingOrPaidIdReverts() public {
        fee(100);
        vm.roll(101);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        bytes32 id = propose(100, 100, p, a);
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.BatchAlreadyProposed.selector, id, Settlement.State.Proposed)
        );
        vm.prank(settler);
        s.propose(id, 100, 100, 0, 1, p, a, ROOT);
        rollPast(id);
        s.finalize(id, p, a);
        vm.expectRevert(abi.encodeWithSelector(Settlement.BatchAlreadySettled.selector, id));
        vm.prank(settler);
        s.propose(id, 100, 100, 0, 1, p, a, ROOT);
    }

    function test_propose_rejectsBadBatches() public {
        fee(100);
        vm.roll(101);
        bytes32 id = idOf(100, 100, 0);
        (address[] memory p, uint256[] memory a) = pay1(alice, 10);
        vm.startPrank(settler);
        vm.expectRevert(Settlement.ZeroRoot.selector);
        s.propose(id, 100, 100, 0, 1, p, a, bytes32(0));
        vm.expectRevert(Settlement.EmptyBatch.selector);
        s.propose(id, 100, 100, 0, 1, new address[](0), new uint256[](0), ROOT);
        vm.expectRevert(abi.encodeWithSelector(Settlement.LengthMismatch.selector, 1, 2));
        s.propose(id, 100, 100, 0, 1, p, new uint256[](2), ROOT);
        (address[] memory p2, uint256[] memory a2) = pay2(1, 1);
        p2[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.ZeroPayee.selector, 1));
        s.propose(id, 100, 100, 0, 1, p2, a2, ROOT);
        uint256 n = MAX_BATCH_PAYEES + 1;
        vm.expectRevert(abi.encodeWithSelector(TooMany.selector, "payees", n, MAX_BATCH_PAYEES));
        s.propose(id, 100, 100, 0, 1, new address[](n), new uint256[](n), ROOT);
        vm.stopPrank();
    }

    function test_propose_maxPayeesAccepted() public {
        uint256 n = MAX_BATCH_PAYEES;
        fee(n);
        vm.roll(101);
        address[] memory p = new address[](n);
        uint256[] memory a = new uint256[](n);
        for (uint256 i = 0; i < n; i++) (p[i], a[i]) = (address(uint160(0x1000 + i)), 1);
        bytes32 id = propose(100, 100, p, a);
        assertEq(s.proposalOf(id).total, n, "total of 1000 payees");
    }

    function test_propose_capCountsFeesUpToWindowEndAndPending() public {
        fee(100);
        vm.roll(101);
        fee(50); // paid after the first window: not available to it
        vm.roll(103);
        (address[] memory p, uint256[] memory a) = pay1(alice, 101);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowCapExceeded.selector, 101, 100));
        propose(100, 100, p, a);
        (p, a) = pay1(alice, 70);
        propose(100, 100, p, a); // 70 pending of 100
        (p, a) = pay2(40, 41); // 150 through block 102, 70 pending: 80 left
        vm.expectRevert(abi.encodeWithSelector(Settlement.WindowCapExceeded.selector, 81, 80));
        propose(101, 102, p, a);
        (p, a) = pay2(40, 40);
        propose(101, 102, p, a);
        assertEq(s.totalPending(), 150, "everything pending");
    }
}
