// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {OpenToken} from "../src/OpenToken.sol";
import {CumulativeClaims} from "../src/CumulativeClaims.sol";

/// The pull-payment alternative measured against push (not deployed): a claim pays the
/// cumulative amount less what was claimed, so claiming twice under one root pays nothing more.
contract CumulativeClaimsTest is Test {
    OpenToken internal token;
    CumulativeClaims internal c;
    address internal alice;
    address internal bob;

    function setUp() public {
        alice = actor("alice");
        bob = actor("bob");
        token = new OpenToken(address(this), 1000);
        c = new CumulativeClaims(address(this), token);
        token.transfer(address(c), 1000);
    }

    function leaf(address a, uint256 cumulative) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(a, cumulative))));
    }

    /// A two-leaf tree (pairs hashed sorted): publishes its root, returns each leaf's proof.
    function publish(uint256 toAlice, uint256 toBob) internal returns (bytes32[] memory pa, bytes32[] memory pb) {
        (bytes32 la, bytes32 lb) = (leaf(alice, toAlice), leaf(bob, toBob));
        c.publish(la < lb ? keccak256(abi.encode(la, lb)) : keccak256(abi.encode(lb, la)));
        (pa, pb) = (new bytes32[](1), new bytes32[](1));
        (pa[0], pb[0]) = (lb, la);
    }

    function test_claim_once_thenTheIncreaseOnly() public {
        (bytes32[] memory pa, bytes32[] memory pb) = publish(100, 50);
        c.claim(alice, 100, pa);
        vm.snapshotGasLastCall("SettlementGas", "claim_new_payee_2_leaf_tree");
        vm.expectRevert(abi.encodeWithSelector(CumulativeClaims.NothingToClaim.selector, alice, 100, 100));
        c.claim(alice, 100, pa); // claim twice
        vm.expectRevert(abi.encodeWithSelector(CumulativeClaims.InvalidProof.selector, bob, 51));
        c.claim(bob, 51, pb);
        (pa, pb) = publish(130, 50); // a later root supersedes: alice's cumulative grew by 30
        c.claim(alice, 130, pa);
        vm.snapshotGasLastCall("SettlementGas", "claim_existing_payee_2_leaf_tree");
        c.claim(bob, 50, pb);
        assertEq(token.balanceOf(alice), 130, "alice");
        assertEq(token.balanceOf(bob), 50, "bob");
    }

    function test_publish_onlyOwner() public {
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", alice));
        vm.prank(alice);
        c.publish(bytes32(uint256(1)));
    }
}
