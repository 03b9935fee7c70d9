// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {Fixtures} from "./Fixtures.sol";
import {OpenToken} from "../../src/OpenToken.sol";
import {ProtocolParams} from "../../src/ProtocolParams.sol";
import {DatanetRegistry, IMinContributionStake} from "../../src/DatanetRegistry.sol";

/// Drives a DatanetRegistry through random valid sequences for the invariant test: contributions
/// by three contributors, flags, disputes, clears, slashes, withdrawals and blocks passing; and
/// tries every withdrawal the contract must refuse (cooling down, frozen, closed), counting any
/// that went through. Ghost totals are what the invariants compare against.
contract DatanetHandler is Test {
    uint64 internal constant COOL_DOWN = 6;
    uint64 internal constant FLAG_EXPIRY = 12;

    OpenToken public token;
    DatanetRegistry public r;
    address public gov = address(0x600);
    address public flagger = address(0xF1A6);
    address public treasury = address(0x7E);
    address[3] public contributors = [address(0xC001), address(0xC002), address(0xC003)];
    uint256 public net;
    uint256 public currentBlock = 10;

    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostSlashed;
    uint256 public withdrawalsThatShouldHaveReverted;

    constructor() {
        token = new OpenToken(address(this), 1e30);
        ProtocolParams params = new ProtocolParams(gov, Fixtures.params(), Fixtures.MIN_FEE, Fixtures.MIN_STAKE);
        r = new DatanetRegistry(gov, token, treasury, COOL_DOWN, IMinContributionStake(address(params)), FLAG_EXPIRY);
        vm.startPrank(gov);
        r.grantRole(r.SLASHER_ROLE(), gov);
        r.grantRole(r.FLAGGER_ROLE(), flagger);
        vm.stopPrank();
        net = r.createDatanet("net", Fixtures.MIN_STAKE);
        for (uint256 i = 0; i < 3; i++) {
            token.transfer(contributors[i], 1e27);
            vm.prank(contributors[i]);
            token.approve(address(r), type(uint256).max);
        }
    }

    /// Every call starts in the handler's block: the fuzzer need not keep the last call's roll.
    modifier atBlock() {
        vm.roll(currentBlock);
        _;
    }

    function roll(uint256 blocks) external atBlock {
        currentBlock += bound(blocks, 1, 5);
    }

    function contribute(uint256 who, uint256 stake) external atBlock {
        stake = bound(stake, Fixtures.MIN_STAKE, 1e24);
        vm.prank(contributors[who % 3]);
        r.contribute(net, keccak256(abi.encode(stake)), "ipfs://c", stake);
        ghostDeposited += stake;
    }

    function flag(uint256 pick, uint8 reason) external atBlock {
        uint256 id = _pick(pick);
        if (id == 0 || _closed(id) || r.flagOf(id).state != DatanetRegistry.FlagState.None) return;
        vm.prank(flagger);
        r.flag(id, reason, "evidence");
    }

    function dispute(uint256 pick) external atBlock {
        uint256 id = _pick(pick);
        DatanetRegistry.Flag memory f = r.flagOf(id);
        if (id == 0 || f.state != DatanetRegistry.FlagState.Flagged || currentBlock >= f.expiresAt) return;
        vm.prank(r.contribution(id).contributor);
        r.dispute(id);
    }

    function clearFlag(uint256 pick) external atBlock {
        uint256 id = _pick(pick);
        DatanetRegistry.FlagState st = r.flagOf(id).state;
        if (id == 0 || (st != DatanetRegistry.FlagState.Flagged && st != DatanetRegistry.FlagState.Disputed)) return;
        vm.prank(gov);
        r.clearFlag(id);
    }

    function slash(uint256 pick) external atBlock {
        uint256 id = _pick(pick);
        if (id == 0 || _closed(id)) return;
        uint256 stake = r.contribution(id).stake;
        vm.prank(gov);
        r.slash(id, 1);
        ghostSlashed += stake;
    }

    /// Withdraws when the contract must allow it; otherwise tries and expects a revert.
    function withdraw(uint256 pick) external atBlock {
        uint256 id = _pick(pick);
        if (id == 0) return;
        DatanetRegistry.Contribution memory c = r.contribution(id);
        bool allowed = !_closed(id) && currentBlock >= c.contributedAt + COOL_DOWN && !r.isFrozen(id);
        vm.prank(c.contributor);
        if (allowed) {
            r.withdrawStake(id);
            ghostWithdrawn += c.stake;
        } else {
            try r.withdrawStake(id) { withdrawalsThatShouldHaveReverted++; } catch {}
        }
    }

    /// The stakes still held: every contribution neither slashed nor withdrawn.
    function heldStakes() external view returns (uint256 held, uint256 frozen) {
        for (uint256 id = 1; id <= r.contributionCount(); id++) {
            uint256 stake = r.contribution(id).stake;
            held += stake;
            if (r.isFrozen(id)) frozen += stake;
        }
    }

    function _closed(uint256 id) internal view returns (bool) {
        DatanetRegistry.Status st = r.contribution(id).status;
        return st == DatanetRegistry.Status.Slashed || st == DatanetRegistry.Status.Withdrawn;
    }

    function _pick(uint256 pick) internal view returns (uint256) {
        uint256 n = r.contributionCount();
        return n == 0 ? 0 : 1 + pick % n;
    }
}
