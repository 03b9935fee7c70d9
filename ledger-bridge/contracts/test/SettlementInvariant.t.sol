// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test, FuzzSelector} from "./utils/Test.sol";
import {SettlementHandler} from "./utils/SettlementHandler.sol";
import {Settlement} from "../src/Settlement.sol";

/// OPEN is conserved through any sequence of fees, proposals, challenges, resolutions and
/// finalizations: what the escrow holds is the fees not yet paid plus the bonds held, every payee
/// was paid exactly what settled, pending never exceeds escrowed, and a batch id pays at most once.
contract SettlementInvariantTest is Test {
    SettlementHandler internal h;
    Settlement internal s;

    function setUp() public {
        h = new SettlementHandler();
        s = h.s();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(h);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory t) {
        bytes4[] memory sel = new bytes4[](9);
        sel[0] = h.recordFee.selector;
        sel[1] = h.roll.selector;
        sel[2] = h.proposeWindow.selector;
        sel[3] = h.proposeSibling.selector;
        sel[4] = h.proposeAgain.selector;
        sel[5] = h.challenge.selector;
        sel[6] = h.resolve.selector;
        sel[7] = h.finalize.selector;
        sel[8] = h.recordFee.selector; // fees twice as often: more proposals find room
        t = new FuzzSelector[](1);
        t[0] = FuzzSelector(address(h), sel);
    }

    function invariant_balanceIsEscrowedPlusBonds() public view {
        assertEq(h.token().balanceOf(address(s)), s.totalFees() - s.totalSettled() + s.bondsHeld(), "escrow balance");
        assertEq(s.bondsHeld(), h.ghostBonds(), "bonds held");
    }

    function invariant_escrowedIsFeesLessPaid() public view {
        assertEq(s.totalFees(), h.ghostFees(), "fees recorded");
        assertEq(s.escrowed(), h.ghostFees() - h.ghostSettled(), "escrowed");
        assertLe(s.totalPending(), s.escrowed(), "pending within escrowed");
    }

    function invariant_payeesGotExactlyWhatSettled() public view {
        assertEq(s.totalSettled(), h.ghostSettled(), "totalSettled");
        assertEq(h.payeeBalances(), s.totalSettled(), "paid to payees");
    }

    function invariant_aBatchIdPaysOnce() public view {
        assertLe(h.maxSettleCount(), 1, "settlements of one id");
        assertEq(h.probesThatDidNotRevert(), 0, "late/second challenges and early/second finalizations that went through");
    }
}
