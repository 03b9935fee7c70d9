// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {Fixtures} from "./utils/Fixtures.sol";
import {OpenToken} from "../src/OpenToken.sol";
import {ProtocolParams} from "../src/ProtocolParams.sol";
import {OpenGovernor} from "../src/OpenGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {
    TooLong,
    TooMany,
    MAX_CALLDATA_BYTES,
    MAX_DESCRIPTION_BYTES,
    MAX_PROPOSAL_ACTIONS,
    MAX_REASON_BYTES
} from "../src/InputLimits.sol";

/// The governed side as deployed: OPEN's votes, OpenGovernor proposing to the timelock, which
/// owns ProtocolParams; a proposal end to end, the caps on what proposals and votes log, and
/// every check of the params.
contract GovernanceTest is Test {
    uint48 internal constant VOTING_DELAY = 1;
    uint32 internal constant VOTING_PERIOD = 10;
    uint256 internal constant TIMELOCK_DELAY = 60; // seconds
    uint256 internal constant HOLDER_KEY = 0xA11CE;

    OpenToken internal token;
    TimelockController internal timelock;
    OpenGovernor internal gov;
    ProtocolParams internal params;
    address internal holder;
    address internal alice;

    function setUp() public {
        vm.roll(100);
        vm.warp(1_000_000);
        holder = vm.addr(HOLDER_KEY);
        alice = actor("alice");
        token = new OpenToken(holder, 1000 ether);
        vm.prank(holder);
        token.delegate(holder);
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1); // address(0): anyone executes a ready operation
        timelock = new TimelockController(TIMELOCK_DELAY, none, anyone, address(this));
        gov = new OpenGovernor(token, timelock, VOTING_DELAY, VOTING_PERIOD, 4);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(gov));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(gov));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
        params = new ProtocolParams(address(timelock), Fixtures.params(), Fixtures.MIN_FEE, Fixtures.MIN_STAKE);
        vm.roll(101);
    }

    function one(address target, bytes memory data)
        internal
        pure
        returns (address[] memory t, uint256[] memory v, bytes[] memory c)
    {
        t = new address[](1);
        v = new uint256[](1);
        c = new bytes[](1);
        (t[0], c[0]) = (target, data);
    }

    // --- OpenToken ---

    function test_token_supplyOnce_votesFollowDelegation() public {
        assertEq(token.totalSupply(), 1000 ether, "supply");
        assertEq(token.balanceOf(holder), 1000 ether, "to the holder");
        assertEq(token.decimals(), 18, "decimals");
        assertEq(keccak256(bytes(token.symbol())), keccak256("OPEN"), "symbol");
        assertEq(token.getVotes(holder), 1000 ether, "delegated to self");
        vm.prank(holder);
        token.transfer(alice, 300 ether);
        assertEq(token.getVotes(holder), 700 ether, "votes move with tokens");
        assertEq(token.getVotes(alice), 0, "undelegated tokens carry no votes");
        vm.prank(alice);
        token.delegate(holder);
        assertEq(token.getVotes(holder), 1000 ether, "delegated back");
        vm.roll(102);
        assertEq(token.getPastVotes(holder, 100), 1000 ether, "checkpointed by block");
    }

    function test_token_permit() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                holder,
                alice,
                5 ether,
                token.nonces(holder),
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(HOLDER_KEY, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        token.permit(holder, alice, 5 ether, deadline, v, r, s);
        assertEq(token.allowance(holder, alice), 5 ether, "allowance by signature");
        assertEq(token.nonces(holder), 1, "nonce used");
        vm.expectRevert();
        token.permit(holder, alice, 5 ether, deadline, v, r, s); // replay
    }

    // --- OpenGovernor + timelock ---

    function test_proposal_endToEnd_changesParams() public {
        ProtocolParams.Params memory next = Fixtures.params();
        (next.contributorBps, next.ownerBps) = (6000, 3000);
        (address[] memory t, uint256[] memory v, bytes[] memory c) =
            one(address(params), abi.encodeCall(ProtocolParams.setParams, (next)));
        vm.prank(alice); // anyone proposes: no threshold
        uint256 id = gov.propose(t, v, c, "split 60/30/10");
        vm.roll(101 + VOTING_DELAY + 1);
        vm.prank(holder);
        gov.castVoteWithReason(id, 1, "for");
        vm.roll(101 + VOTING_DELAY + VOTING_PERIOD + 1);
        assertTrue(gov.state(id) == IGovernor.ProposalState.Succeeded, "Succeeded");
        bytes32 dh = keccak256(bytes("split 60/30/10"));
        gov.queue(t, v, c, dh);
        vm.expectRevert(); // the timelock's delay has not passed
        gov.execute(t, v, c, dh);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        gov.execute(t, v, c, dh);
        assertEq(params.params().contributorBps, 6000, "applied");
        assertEq(params.version(), 2, "version");
    }

    function test_proposal_withoutQuorumDefeated() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) =
            one(address(params), abi.encodeCall(ProtocolParams.setMinimums, (0, 0)));
        uint256 id = gov.propose(t, v, c, "free");
        vm.roll(101 + VOTING_DELAY + VOTING_PERIOD + 1);
        assertTrue(gov.state(id) == IGovernor.ProposalState.Defeated, "Defeated");
    }

    function test_proposal_caps() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = one(address(params), "");
        vm.expectRevert(
            abi.encodeWithSelector(TooLong.selector, "description", MAX_DESCRIPTION_BYTES + 1, MAX_DESCRIPTION_BYTES)
        );
        gov.propose(t, v, c, Fixtures.str(MAX_DESCRIPTION_BYTES + 1));
        c[0] = new bytes(MAX_CALLDATA_BYTES + 1);
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "calldata", MAX_CALLDATA_BYTES + 1, MAX_CALLDATA_BYTES));
        gov.propose(t, v, c, "big call");
        uint256 n = MAX_PROPOSAL_ACTIONS + 1;
        vm.expectRevert(abi.encodeWithSelector(TooMany.selector, "targets", n, MAX_PROPOSAL_ACTIONS));
        gov.propose(new address[](n), new uint256[](n), new bytes[](n), "many");
        c[0] = new bytes(MAX_CALLDATA_BYTES);
        gov.propose(t, v, c, Fixtures.str(MAX_DESCRIPTION_BYTES)); // at the caps
    }

    function test_vote_caps() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = one(address(params), "");
        uint256 id = gov.propose(t, v, c, "p");
        vm.roll(101 + VOTING_DELAY + 1);
        vm.startPrank(holder);
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "reason", MAX_REASON_BYTES + 1, MAX_REASON_BYTES));
        gov.castVoteWithReason(id, 1, Fixtures.str(MAX_REASON_BYTES + 1));
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "params", 1, 0));
        gov.castVoteWithReasonAndParams(id, 1, "", hex"01");
        gov.castVoteWithReason(id, 1, Fixtures.str(MAX_REASON_BYTES));
        vm.stopPrank();
    }

    // --- ProtocolParams ---

    function test_params_onlyTimelock() public {
        ProtocolParams.Params memory p = Fixtures.params();
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", address(gov)));
        vm.prank(address(gov));
        params.setParams(p);
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", holder));
        vm.prank(holder);
        params.setMinimums(0, 0);
        vm.prank(address(timelock));
        params.setMinimums(7, 8);
        assertEq(params.minInferenceFee(), 7, "fee");
        assertEq(params.minContributionStake(), 8, "stake");
        assertEq(params.version(), 1, "minimums are not a params version");
    }

    function test_params_validation() public {
        ProtocolParams.Params memory p = Fixtures.params();
        p.protocolBps = 1001;
        _rejects(p, "bps must sum to 10000");
        p = Fixtures.params();
        p.topK = 0;
        _rejects(p, "topK must be positive");
        p = Fixtures.params();
        p.similarityThresholdPpm = 1_000_001;
        _rejects(p, "similarities are at most 1000000 ppm");
        p = Fixtures.params();
        p.duplicateBoundPpm = 1_000_001;
        _rejects(p, "similarities are at most 1000000 ppm");
        p = Fixtures.params();
        p.settlementWindowBlocks = 0;
        _rejects(p, "settlement window must be positive");
        p = Fixtures.params();
        p.maxPayeesPerBatch = 0;
        _rejects(p, "maxPayeesPerBatch must be positive");
        p.maxPayeesPerBatch = 1001;
        _rejects(p, "maxPayeesPerBatch must be at most 1000");
        p = Fixtures.params();
        p.shareRule = 3;
        _rejects(p, "shareRule must be 0 LINEAR, 1 TOP1 or 2 POWER");
        p.shareRule = 2;
        _rejects(p, "POWER takes an exponent of 1 to 8");
        p.shareRuleParam = 9;
        _rejects(p, "POWER takes an exponent of 1 to 8");
        p.shareRule = 1;
        p.shareRuleParam = 1;
        _rejects(p, "LINEAR and TOP1 take no parameter (0)");
        p = Fixtures.params();
        (p.shareRule, p.shareRuleParam, p.maxPayeesPerBatch) = (2, 8, 1000);
        vm.prank(address(timelock));
        params.setParams(p);
        assertEq(params.params().shareRuleParam, 8, "POWER 8 accepted");
        assertEq(params.version(), 2, "version");
    }

    /// Any split whose basis points do not sum to 10000 is refused.
    function testFuzz_params_bpsMustSumTo10000(uint16 c, uint16 o, uint16 p) public {
        vm.assume(uint256(c) + o + p != 10_000);
        ProtocolParams.Params memory next = Fixtures.params();
        (next.contributorBps, next.ownerBps, next.protocolBps) = (c, o, p);
        _rejects(next, "bps must sum to 10000");
    }

    function _rejects(ProtocolParams.Params memory p, string memory reason) internal {
        vm.expectRevert(abi.encodeWithSelector(ProtocolParams.InvalidParams.selector, reason));
        vm.prank(address(timelock));
        params.setParams(p);
    }
}
