// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {Fixtures} from "./utils/Fixtures.sol";
import {OpenToken} from "../src/OpenToken.sol";
import {ProtocolParams} from "../src/ProtocolParams.sol";
import {DatanetRegistry, IMinContributionStake} from "../src/DatanetRegistry.sol";
import {TooLong, ZeroAddress, MAX_NAME_BYTES, MAX_URI_BYTES} from "../src/InputLimits.sol";

/// DatanetRegistry: Datanets, curators, staked contributions, flags that freeze a stake, and
/// governance's slash or clear; every role and every cap.
contract DatanetRegistryTest is Test {
    uint64 internal constant COOL_DOWN = 20;
    uint64 internal constant FLAG_EXPIRY = 50;
    bytes32 internal constant HASH = keccak256("content");

    OpenToken internal token;
    ProtocolParams internal params;
    DatanetRegistry internal r;
    address internal gov; // the timelock: admin and slasher
    address internal flagger;
    address internal treasury;
    address internal owner;
    address internal curator;
    address internal alice;
    uint256 internal net;

    function setUp() public {
        vm.roll(100);
        gov = actor("timelock");
        flagger = actor("flagger");
        treasury = actor("treasury");
        owner = actor("owner");
        curator = actor("curator");
        alice = actor("alice");
        token = new OpenToken(address(this), 1e27);
        params = new ProtocolParams(gov, Fixtures.params(), Fixtures.MIN_FEE, Fixtures.MIN_STAKE);
        r = new DatanetRegistry(gov, token, treasury, COOL_DOWN, IMinContributionStake(address(params)), FLAG_EXPIRY);
        vm.startPrank(gov);
        r.grantRole(r.SLASHER_ROLE(), gov);
        r.grantRole(r.FLAGGER_ROLE(), flagger);
        vm.stopPrank();
        token.transfer(alice, 100 ether);
        vm.prank(alice);
        token.approve(address(r), type(uint256).max);
        vm.prank(owner);
        net = r.createDatanet("fortunes", 2 ether);
        vm.prank(owner);
        r.setCurator(net, curator, true);
    }

    function contribute(uint256 stake) internal returns (uint256 id) {
        vm.prank(alice);
        id = r.contribute(net, HASH, "ipfs://x", stake);
    }

    function test_constructor_zeroTreasuryRejected() public {
        vm.expectRevert(abi.encodeWithSelector(ZeroAddress.selector, "treasury"));
        new DatanetRegistry(gov, token, address(0), COOL_DOWN, IMinContributionStake(address(params)), FLAG_EXPIRY);
    }

    function test_createDatanet_anyone_floorAndNameCap() public {
        vm.prank(alice);
        uint256 id = r.createDatanet(Fixtures.str(MAX_NAME_BYTES), Fixtures.MIN_STAKE);
        assertEq(id, 2, "second Datanet");
        assertEq(r.datanet(id).owner, alice, "creator owns it");
        assertTrue(r.exists(id) && !r.exists(3), "exists");
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "name", MAX_NAME_BYTES + 1, MAX_NAME_BYTES));
        r.createDatanet(Fixtures.str(MAX_NAME_BYTES + 1), Fixtures.MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.MinStakeBelowFloor.selector, Fixtures.MIN_STAKE - 1, Fixtures.MIN_STAKE)
        );
        r.createDatanet("low", Fixtures.MIN_STAKE - 1);
    }

    function test_setCurator_onlyOwner() public {
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotDatanetOwner.selector, alice, net));
        vm.prank(alice);
        r.setCurator(net, alice, true);
        vm.prank(owner);
        r.setCurator(net, curator, false);
        assertTrue(!r.isCurator(net, curator), "removed");
    }

    function test_contribute_checks() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.UnknownDatanet.selector, 9));
        r.contribute(9, HASH, "u", 2 ether);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.StakeTooLow.selector, 2 ether - 1, 2 ether));
        r.contribute(net, HASH, "u", 2 ether - 1);
        vm.expectRevert(DatanetRegistry.InvalidContent.selector);
        r.contribute(net, bytes32(0), "u", 2 ether);
        vm.expectRevert(DatanetRegistry.InvalidContent.selector);
        r.contribute(net, HASH, "", 2 ether);
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "contentUri", MAX_URI_BYTES + 1, MAX_URI_BYTES));
        r.contribute(net, HASH, Fixtures.str(MAX_URI_BYTES + 1), 2 ether);
        uint256 id = r.contribute(net, HASH, Fixtures.str(MAX_URI_BYTES), 2 ether);
        vm.stopPrank();
        assertEq(token.balanceOf(address(r)), 2 ether, "stake pulled");
        DatanetRegistry.Contribution memory c = r.contribution(id);
        assertEq(c.stake, 2 ether, "stake");
        assertEq(c.contributor, alice, "contributor");
        assertTrue(c.status == DatanetRegistry.Status.Pending, "Pending");
    }

    function test_contribute_floorRaisedByGovernanceApplies() public {
        vm.prank(gov);
        params.setMinimums(Fixtures.MIN_FEE, 3 ether);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.StakeTooLow.selector, 2 ether, 3 ether));
        contribute(2 ether);
        contribute(3 ether);
    }

    function test_review_curatorOnce() public {
        uint256 id = contribute(2 ether);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotCurator.selector, alice, net));
        vm.prank(alice);
        r.review(id, true);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.UnknownContribution.selector, 7));
        vm.prank(curator);
        r.review(7, true);
        vm.prank(curator);
        r.review(id, false);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.AlreadyReviewed.selector, id, DatanetRegistry.Status.Rejected)
        );
        vm.prank(curator);
        r.review(id, true);
    }

    function test_withdraw_afterCoolDown_once_byContributor() public {
        uint256 id = contribute(2 ether);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.CoolDown.selector, id, 100 + COOL_DOWN));
        vm.prank(alice);
        r.withdrawStake(id);
        vm.roll(100 + COOL_DOWN);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotContributor.selector, owner, id));
        vm.prank(owner);
        r.withdrawStake(id);
        vm.prank(alice);
        r.withdrawStake(id);
        assertEq(token.balanceOf(alice), 100 ether, "stake back");
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.Closed.selector, id, DatanetRegistry.Status.Withdrawn));
        vm.prank(alice);
        r.withdrawStake(id);
    }

    function test_flag_onlyFlagger_freezesUntilExpiry() public {
        uint256 id = contribute(2 ether);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", gov, r.FLAGGER_ROLE()));
        vm.prank(gov);
        r.flag(id, 1, "dup");
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "evidence", MAX_URI_BYTES + 1, MAX_URI_BYTES));
        vm.prank(flagger);
        r.flag(id, 1, Fixtures.str(MAX_URI_BYTES + 1));
        vm.prank(flagger);
        r.flag(id, 1, "duplicate of #1");
        DatanetRegistry.Flag memory f = r.flagOf(id);
        assertEq(f.expiresAt, 100 + FLAG_EXPIRY, "expiry");
        assertTrue(f.state == DatanetRegistry.FlagState.Flagged && r.isFrozen(id), "frozen");
        vm.roll(100 + COOL_DOWN); // cool-down over, still frozen
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.Frozen.selector, id, 100 + FLAG_EXPIRY));
        vm.prank(alice);
        r.withdrawStake(id);
        vm.roll(100 + FLAG_EXPIRY); // expired: governance did not act in time
        assertTrue(!r.isFrozen(id), "expired");
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotOpen.selector, id, DatanetRegistry.FlagState.Flagged));
        vm.prank(alice);
        r.dispute(id);
        vm.expectRevert(
            abi.encodeWithSelector(DatanetRegistry.AlreadyFlagged.selector, id, DatanetRegistry.FlagState.Flagged)
        );
        vm.prank(flagger);
        r.flag(id, 1, "again"); // once ever: an expired flag is not renewed
        vm.prank(alice);
        r.withdrawStake(id);
        assertEq(token.balanceOf(alice), 100 ether, "stake back after expiry");
    }

    function test_flag_closedContributionReverts() public {
        uint256 id = contribute(2 ether);
        vm.prank(gov);
        r.slash(id, 3);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.Closed.selector, id, DatanetRegistry.Status.Slashed));
        vm.prank(flagger);
        r.flag(id, 1, "");
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.UnknownContribution.selector, 99));
        vm.prank(flagger);
        r.flag(99, 1, "");
    }

    function test_dispute_byContributor_whileOpen() public {
        uint256 id = contribute(2 ether);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotOpen.selector, id, DatanetRegistry.FlagState.None));
        vm.prank(alice);
        r.dispute(id);
        vm.prank(flagger);
        r.flag(id, 2, "empty");
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotContributor.selector, owner, id));
        vm.prank(owner);
        r.dispute(id);
        vm.prank(alice);
        r.dispute(id);
        assertTrue(r.flagOf(id).state == DatanetRegistry.FlagState.Disputed && r.isFrozen(id), "disputed, frozen");
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotOpen.selector, id, DatanetRegistry.FlagState.Disputed));
        vm.prank(alice);
        r.dispute(id);
    }

    function test_clearFlag_onlySlasher_unfreezes() public {
        uint256 id = contribute(2 ether);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.NotOpen.selector, id, DatanetRegistry.FlagState.None));
        vm.prank(gov);
        r.clearFlag(id);
        vm.prank(flagger);
        r.flag(id, 1, "dup");
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", flagger, r.SLASHER_ROLE()));
        vm.prank(flagger);
        r.clearFlag(id);
        vm.prank(gov);
        r.clearFlag(id);
        assertTrue(!r.isFrozen(id), "free");
        vm.roll(100 + COOL_DOWN);
        vm.prank(alice);
        r.withdrawStake(id);
    }

    function test_slash_onlySlasher_toTreasury_decidesFlag() public {
        uint256 id = contribute(2 ether);
        vm.prank(flagger);
        r.flag(id, 1, "dup");
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", flagger, r.SLASHER_ROLE()));
        vm.prank(flagger);
        r.slash(id, 1);
        vm.prank(gov);
        r.slash(id, 1);
        assertEq(token.balanceOf(treasury), 2 ether, "treasury");
        assertEq(token.balanceOf(address(r)), 0, "registry empty");
        assertEq(r.contribution(id).stake, 0, "stake gone");
        assertTrue(r.flagOf(id).state == DatanetRegistry.FlagState.Slashed, "flag decided");
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.Closed.selector, id, DatanetRegistry.Status.Slashed));
        vm.prank(gov);
        r.slash(id, 1);
        vm.roll(100 + COOL_DOWN);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.Closed.selector, id, DatanetRegistry.Status.Slashed));
        vm.prank(alice);
        r.withdrawStake(id);
    }

    function test_slash_rejectedYes_withdrawnNo() public {
        uint256 a = contribute(2 ether);
        uint256 b = contribute(2 ether);
        vm.prank(curator);
        r.review(a, false);
        vm.prank(gov);
        r.slash(a, 0); // rejected, unflagged: slashable
        assertTrue(r.flagOf(a).state == DatanetRegistry.FlagState.None, "no flag to decide");
        vm.roll(100 + COOL_DOWN);
        vm.prank(alice);
        r.withdrawStake(b);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.Closed.selector, b, DatanetRegistry.Status.Withdrawn));
        vm.prank(gov);
        r.slash(b, 0);
    }

    function test_setFlagExpiryBlocks_onlyAdmin_bounded_existingFlagsKeepTheirs() public {
        uint256 id = contribute(2 ether);
        vm.prank(flagger);
        r.flag(id, 1, "");
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", flagger, bytes32(0)));
        vm.prank(flagger);
        r.setFlagExpiryBlocks(5);
        vm.startPrank(gov);
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidFlagExpiry.selector, 0));
        r.setFlagExpiryBlocks(0);
        uint64 max = r.MAX_FLAG_EXPIRY_BLOCKS();
        vm.expectRevert(abi.encodeWithSelector(DatanetRegistry.InvalidFlagExpiry.selector, max + 1));
        r.setFlagExpiryBlocks(max + 1);
        r.setFlagExpiryBlocks(max);
        vm.stopPrank();
        assertEq(r.flagExpiryBlocks(), max, "set");
        assertEq(r.flagOf(id).expiresAt, 100 + FLAG_EXPIRY, "an existing flag keeps its expiry");
    }
}
