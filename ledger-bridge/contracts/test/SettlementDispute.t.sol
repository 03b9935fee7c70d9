// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SettlementBase} from "./utils/SettlementBase.sol";
import {Settlement} from "../src/Settlement.sol";

/// Settlement's challenge window: challenges, governance's resolution, finalization, the governed
/// parameters, and where every bond ends up.
contract SettlementDisputeTest is SettlementBase {
    bytes32 internal id;
    address[] internal p;
    uint256[] internal a;

    /// One proposal of 100 (alice 60, bob 40) over the fees of block 100, proposed in block 101.
    function setUp() public override {
        super.setUp();
        fee(100);
        vm.roll(101);
        (p, a) = pay2(60, 40);
        id = propose(100, 100, p, a);
    }

    function test_challenge_anyoneWithBond_upToDeadline() public {
        vm.roll(101 + WINDOW); // the deadline block itself still takes a challenge
        uint256 before = token.balanceOf(challenger);
        vm.prank(challenger);
        s.challenge(id);
        assertEq(before - token.balanceOf(challenger), C_BOND, "challenger bond taken");
        assertEq(s.bondsHeld(), P_BOND + C_BOND, "both bonds held");
        Settlement.Proposal memory pr = s.proposalOf(id);
        assertTrue(pr.state == Settlement.State.Challenged, "Challenged");
        assertEq(pr.challenger, challenger, "challenger");
    }

    function test_challenge_lateReverts() public {
        vm.roll(101 + WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.ChallengeWindowClosed.selector, id, 101 + WINDOW, 101 + WINDOW + 1)
        );
        vm.prank(challenger);
        s.challenge(id);
    }

    function test_challenge_twiceReverts() public {
        vm.prank(challenger);
        s.challenge(id);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, id, Settlement.State.Challenged));
        vm.prank(challenger);
        s.challenge(id);
    }

    function test_challenge_unknownOrSettledReverts() public {
        bytes32 unknown = idOf(1, 2, 0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, unknown, Settlement.State.None));
        s.challenge(unknown);
        rollPast(id);
        s.finalize(id, p, a);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, id, Settlement.State.Settled));
        vm.prank(challenger);
        s.challenge(id);
    }

    function test_challenge_withoutBondReverts() public {
        vm.expectRevert(
            abi.encodeWithSignature("ERC20InsufficientAllowance(address,uint256,uint256)", address(s), 0, C_BOND)
        );
        vm.prank(alice);
        s.challenge(id);
    }

    function test_resolve_onlyAdmin_onlyChallenged() public {
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, id, Settlement.State.Proposed));
        vm.prank(admin);
        s.resolve(id, true);
        vm.prank(challenger);
        s.challenge(id);
        vm.expectRevert(unauthorized(settler, s.DEFAULT_ADMIN_ROLE()));
        vm.prank(settler);
        s.resolve(id, true);
        vm.expectRevert(unauthorized(challenger, s.DEFAULT_ADMIN_ROLE()));
        vm.prank(challenger);
        s.resolve(id, false);
    }

    function test_resolve_upheld_voidsAndPaysChallengerBothBonds() public {
        uint256 before = token.balanceOf(challenger);
        vm.prank(challenger);
        s.challenge(id);
        vm.prank(admin);
        s.resolve(id, true);
        assertEq(token.balanceOf(challenger), before + P_BOND, "challenger: own bond back plus the proposer's");
        assertEq(s.bondsHeld(), 0, "no bonds held");
        assertEq(s.totalPending(), 0, "nothing pending");
        assertEq(s.escrowed(), 100, "the fees stay escrowed");
        assertEq(token.balanceOf(address(s)), 100, "escrow balance");
        Settlement.Proposal memory pr = s.proposalOf(id);
        assertTrue(pr.state == Settlement.State.None, "void: back to None");
        assertEq(pr.subBatchCount, 1, "its window's sub-batch count kept");
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, id, Settlement.State.None));
        s.finalize(id, p, a);
    }

    function test_resolve_upheld_idMayBeProposedAgain_evenAfterLaterWindows() public {
        vm.prank(challenger);
        s.challenge(id);
        vm.roll(120);
        fee(10);
        vm.roll(121);
        (address[] memory pl, uint256[] memory al) = pay1(alice, 5);
        bytes32 later = propose(101, 120, pl, al); // a later window, while the first is disputed
        vm.prank(admin);
        s.resolve(id, true);
        vm.startPrank(settler);
        vm.expectRevert(abi.encodeWithSelector(Settlement.SubBatchCountMismatch.selector, 2, 1));
        s.propose(id, 100, 100, 0, 2, p, a, ROOT);
        (address[] memory p2, uint256[] memory a2) = pay2(50, 45); // the corrected batch; the cap still holds (5 pending of 110)
        s.propose(id, 100, 100, 0, 1, p2, a2, ROOT);
        vm.stopPrank();
        rollPast(id);
        s.finalize(id, p2, a2);
        s.finalize(later, pl, al);
        assertEq(token.balanceOf(alice), 55, "alice");
        assertEq(token.balanceOf(bob), 45, "bob");
        assertEq(s.escrowed(), 10, "escrowed");
    }

    function test_resolve_rejected_challengerBondToTreasury_finalizableAtOnce() public {
        uint256 settlerBefore = token.balanceOf(settler);
        vm.prank(challenger);
        s.challenge(id);
        vm.prank(admin);
        s.resolve(id, false);
        assertEq(token.balanceOf(treasury), C_BOND, "treasury takes the challenger's bond");
        assertEq(s.bondsHeld(), P_BOND, "the proposer's bond still held");
        assertTrue(s.proposalOf(id).state == Settlement.State.Rejected, "Rejected");
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, id, Settlement.State.Rejected));
        vm.prank(admin);
        s.resolve(id, true);
        s.finalize(id, p, a); // before the deadline: the challenge is decided
        assertEq(token.balanceOf(settler), settlerBefore + P_BOND, "proposer bond returned");
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), 100, "paid");
        assertEq(s.bondsHeld(), 0, "no bonds held");
    }

    function test_finalize_afterWindow_paysAndReturnsBond() public {
        uint256 settlerBefore = token.balanceOf(settler);
        vm.roll(101 + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Settlement.ChallengeWindowOpen.selector, id, 101 + WINDOW, 101 + WINDOW));
        s.finalize(id, p, a);
        vm.roll(101 + WINDOW + 1);
        vm.prank(bob); // anyone
        s.finalize(id, p, a);
        assertEq(token.balanceOf(alice), 60, "alice");
        assertEq(token.balanceOf(bob), 40, "bob");
        assertEq(token.balanceOf(settler), settlerBefore + P_BOND, "bond returned");
        assertEq(s.totalSettled(), 100, "totalSettled");
        assertEq(s.escrowed(), 0, "escrowed");
        assertEq(s.totalPending(), 0, "totalPending");
        assertEq(s.bondsHeld(), 0, "bondsHeld");
        assertEq(token.balanceOf(address(s)), 0, "escrow empty");
        assertTrue(s.isSettled(id), "isSettled");
    }

    function test_finalize_commitmentMismatchReverts() public {
        rollPast(id);
        (address[] memory p2, uint256[] memory a2) = pay2(61, 39);
        vm.expectRevert(abi.encodeWithSelector(Settlement.CommitmentMismatch.selector, id));
        s.finalize(id, p2, a2);
        (p2, a2) = pay2(40, 60);
        (p2[0], p2[1]) = (bob, alice); // the same pairs in another order are another commitment
        vm.expectRevert(abi.encodeWithSelector(Settlement.CommitmentMismatch.selector, id));
        s.finalize(id, p2, a2);
    }

    function test_finalize_twiceReverts_aBatchIdPaysOnce() public {
        rollPast(id);
        s.finalize(id, p, a);
        vm.expectRevert(abi.encodeWithSelector(Settlement.BatchAlreadySettled.selector, id));
        s.finalize(id, p, a);
        assertEq(token.balanceOf(alice), 60, "alice paid once");
    }

    function test_finalize_challengedReverts() public {
        vm.prank(challenger);
        s.challenge(id);
        rollPast(id);
        vm.expectRevert(abi.encodeWithSelector(Settlement.WrongState.selector, id, Settlement.State.Challenged));
        s.finalize(id, p, a);
    }

    function test_setChallengeParams_onlyAdmin_validated_existingKeepTheirs() public {
        vm.expectRevert(unauthorized(settler, s.DEFAULT_ADMIN_ROLE()));
        vm.prank(settler);
        s.setChallengeParams(5, 1, 1);
        vm.startPrank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.InvalidChallengeParams.selector, "challenge window must be positive")
        );
        s.setChallengeParams(0, 1, 1);
        uint256 tooBig = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidChallengeParams.selector, "bonds must fit 96 bits"));
        s.setChallengeParams(5, tooBig, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidChallengeParams.selector, "bonds must fit 96 bits"));
        s.setChallengeParams(5, 1, tooBig);
        s.setChallengeParams(50, type(uint96).max, 0);
        vm.stopPrank();
        assertEq(s.challengeWindowBlocks(), 50, "window");
        assertEq(s.proposerBond(), type(uint96).max, "proposer bond");
        assertEq(s.challengerBond(), 0, "challenger bond");
        Settlement.Proposal memory pr = s.proposalOf(id);
        assertEq(pr.deadline, 101 + WINDOW, "an existing proposal keeps its deadline");
        assertEq(pr.proposerBond, P_BOND, "and its bond");
        vm.prank(challenger);
        s.challenge(id); // a zero bond challenge
        assertEq(s.proposalOf(id).challengerBond, 0, "zero challenger bond");
    }
}
