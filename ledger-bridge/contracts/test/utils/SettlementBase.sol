// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {OpenToken} from "../../src/OpenToken.sol";
import {Settlement} from "../../src/Settlement.sol";

/// A deployed Settlement with its roles held by named actors, as bin/openledger deploy sets them
/// (the admin stands for the timelock), and helpers to pay fees and propose batches.
abstract contract SettlementBase is Test {
    uint64 internal constant WINDOW = 10;
    uint256 internal constant P_BOND = 5 ether;
    uint256 internal constant C_BOND = 3 ether;
    bytes32 internal constant ROOT = keccak256("root");

    OpenToken internal token;
    Settlement internal s;
    address internal admin;
    address internal treasury;
    address internal market;
    address internal settler;
    address internal challenger;
    address internal alice;
    address internal bob;

    function setUp() public virtual {
        vm.roll(100);
        admin = actor("timelock");
        treasury = actor("treasury");
        market = actor("market");
        settler = actor("settler");
        challenger = actor("challenger");
        alice = actor("alice");
        bob = actor("bob");
        token = new OpenToken(address(this), 1e30);
        s = new Settlement(admin, token, treasury, WINDOW, P_BOND, C_BOND);
        vm.startPrank(admin);
        s.grantRole(s.MARKET_ROLE(), market);
        s.grantRole(s.SETTLER_ROLE(), settler);
        vm.stopPrank();
        _fund(settler, 1000 ether);
        _fund(challenger, 1000 ether);
    }

    function _fund(address who, uint256 amount) internal {
        token.transfer(who, amount);
        vm.prank(who);
        token.approve(address(s), type(uint256).max);
    }

    /// A fee paid in the current block, as InferenceMarket pays one: tokens first, then the record.
    function fee(uint256 amount) internal {
        token.transfer(address(s), amount);
        vm.prank(market);
        s.recordFee(amount);
    }

    function idOf(uint256 start, uint256 end, uint256 subBatch) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, start, end, subBatch));
    }

    function pay1(address payee, uint256 amount) internal pure returns (address[] memory p, uint256[] memory a) {
        p = new address[](1);
        a = new uint256[](1);
        (p[0], a[0]) = (payee, amount);
    }

    function pay2(uint256 toAlice, uint256 toBob) internal view returns (address[] memory p, uint256[] memory a) {
        p = new address[](2);
        a = new uint256[](2);
        (p[0], a[0], p[1], a[1]) = (alice, toAlice, bob, toBob);
    }

    /// Sub-batch 0 of 1 of [start, end], proposed by the settler.
    function propose(uint256 start, uint256 end, address[] memory p, uint256[] memory a) internal returns (bytes32 id) {
        id = idOf(start, end, 0);
        vm.prank(settler);
        s.propose(id, start, end, 0, 1, p, a, ROOT);
    }

    function rollPast(bytes32 id) internal {
        vm.roll(s.proposalOf(id).deadline + 1);
    }

    function unauthorized(address who, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", who, role);
    }
}
