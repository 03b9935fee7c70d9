// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test, FuzzSelector} from "./utils/Test.sol";
import {DatanetHandler} from "./utils/DatanetHandler.sol";
import {DatanetRegistry} from "../src/DatanetRegistry.sol";

/// Stakes are conserved through any sequence of contributions, flags, disputes, clears, slashes
/// and withdrawals: deposited = withdrawn + slashed + still held (frozen ones among them), the
/// registry holds exactly the stakes still held, and no frozen, cooling or closed stake leaves.
contract DatanetRegistryInvariantTest is Test {
    DatanetHandler internal h;
    DatanetRegistry internal r;

    function setUp() public {
        h = new DatanetHandler();
        r = h.r();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(h);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory t) {
        bytes4[] memory sel = new bytes4[](8);
        sel[0] = h.roll.selector;
        sel[1] = h.contribute.selector;
        sel[2] = h.flag.selector;
        sel[3] = h.dispute.selector;
        sel[4] = h.clearFlag.selector;
        sel[5] = h.slash.selector;
        sel[6] = h.withdraw.selector;
        sel[7] = h.contribute.selector; // contributions twice as often: more stakes to act on
        t = new FuzzSelector[](1);
        t[0] = FuzzSelector(address(h), sel);
    }

    function invariant_depositedIsWithdrawnPlusSlashedPlusHeld() public view {
        (uint256 held, uint256 frozen) = h.heldStakes();
        assertEq(h.ghostDeposited(), h.ghostWithdrawn() + h.ghostSlashed() + held, "deposited");
        assertEq(h.token().balanceOf(address(r)), held, "registry holds the stakes held");
        assertEq(h.token().balanceOf(h.treasury()), h.ghostSlashed(), "treasury holds the slashed");
        assertLe(frozen, held, "frozen within held");
    }

    function invariant_noRefusedWithdrawalWentThrough() public view {
        assertEq(h.withdrawalsThatShouldHaveReverted(), 0, "withdrawals that went through");
    }
}
