// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {OpenToken} from "../../src/OpenToken.sol";
import {Settlement} from "../../src/Settlement.sol";

/// Drives a Settlement through random but valid sequences for the invariant test: fees, blocks,
/// proposals (new windows, their other sub-batches, voided ids again), challenges, resolutions
/// both ways, finalizations; and probes that must revert (a late or second challenge, a second
/// finalize), counting any that did not. Ghost totals are what the invariants compare against.
contract SettlementHandler is Test {
    uint64 internal constant WINDOW = 5;
    uint256 internal constant P_BOND = 7 ether;
    uint256 internal constant C_BOND = 3 ether;
    uint256 internal constant PAYEES = 4;

    OpenToken public token;
    Settlement public s;
    address public admin = address(0xAD);
    address public treasury = address(0x7E);
    address public market = address(0x3A);
    address public settler = address(0x5E);
    address public challenger = address(0xC4);
    address[PAYEES] public payees = [address(0x1001), address(0x1002), address(0x1003), address(0x1004)];

    /// What a proposal was made with, to challenge, finalize and propose it again.
    struct Batch {
        uint256 start;
        uint256 end;
        uint256 subBatch;
        uint256 count;
    }

    uint256 public currentBlock = 10;
    bytes32[] public ids;
    mapping(bytes32 => Batch) internal _batch;
    mapping(bytes32 => bool) internal _known;
    mapping(bytes32 => address[]) internal _payees;
    mapping(bytes32 => uint256[]) internal _amounts;
    uint256 internal _lastEnd;
    bytes32 internal _lastWindowFirst; // sub-batch 0 of the last window proposed
    uint256 internal _nextSub;

    uint256 public ghostFees;
    uint256 public ghostSettled;
    uint256 public ghostBonds;
    mapping(bytes32 => uint256) public settleCount;
    uint256 public maxSettleCount;
    uint256 public probesThatDidNotRevert;
    /// What the calls did (most do nothing when their state is not there), for tuning the runs.
    uint256 public proposed;
    uint256 public challenged;
    uint256 public upheld;
    uint256 public finalized;

    constructor() {
        token = new OpenToken(address(this), 1e36);
        s = new Settlement(admin, token, treasury, WINDOW, P_BOND, C_BOND);
        vm.startPrank(admin);
        s.grantRole(s.MARKET_ROLE(), market);
        s.grantRole(s.SETTLER_ROLE(), settler);
        vm.stopPrank();
        _fund(settler);
        _fund(challenger);
    }

    /// Every call starts in the handler's block: the fuzzer need not keep the last call's roll.
    modifier atBlock() {
        vm.roll(currentBlock);
        _;
    }

    function recordFee(uint256 amount) external atBlock {
        amount = bound(amount, 1, 1e24);
        token.transfer(address(s), amount);
        vm.prank(market);
        s.recordFee(amount);
        ghostFees += amount;
    }

    function roll(uint256 blocks) external atBlock {
        currentBlock += bound(blocks, 1, 8);
    }

    /// Sub-batch 0 of `count` of the window from the last one's end to the last closed block.
    function proposeWindow(uint256 seed, uint256 count) external atBlock {
        uint256 start = _lastEnd + 1;
        if (currentBlock <= start) {
            currentBlock = start + 1; // a window is proposed once closed
            vm.roll(currentBlock);
        }
        uint256 end = currentBlock - 1;
        count = bound(count, 1, 3);
        bytes32 id = _propose(Batch(start, end, 0, count), seed);
        if (id == 0) return;
        (_lastEnd, _lastWindowFirst, _nextSub) = (end, id, 1);
    }

    /// The next sub-batch of the last window proposed.
    function proposeSibling(uint256 seed) external atBlock {
        if (_lastWindowFirst == 0) return;
        Batch memory first = _batch[_lastWindowFirst];
        if (_nextSub >= first.count) return;
        if (_propose(Batch(first.start, first.end, _nextSub, first.count), seed) != 0) _nextSub++;
    }

    /// A voided (challenge upheld) batch proposed again under its id, with new amounts.
    function proposeAgain(uint256 pick, uint256 seed) external atBlock {
        bytes32 id = _pick(pick);
        if (id == 0 || s.proposalOf(id).state != Settlement.State.None) return;
        _propose(_batch[id], seed);
    }

    function challenge(uint256 pick) external atBlock {
        bytes32 id = _pick(pick);
        if (id == 0) return;
        Settlement.Proposal memory p = s.proposalOf(id);
        vm.prank(challenger);
        if (p.state == Settlement.State.Proposed && currentBlock <= p.deadline) {
            s.challenge(id);
            ghostBonds += C_BOND;
            challenged++;
        } else {
            try s.challenge(id) { probesThatDidNotRevert++; } catch {} // late, twice, decided
        }
    }

    function resolve(uint256 pick, bool upheld_) external atBlock {
        bytes32 id = _pick(pick);
        if (id == 0 || s.proposalOf(id).state != Settlement.State.Challenged) return;
        vm.prank(admin);
        s.resolve(id, upheld_);
        ghostBonds -= upheld_ ? P_BOND + C_BOND : C_BOND;
        if (upheld_) upheld++;
    }

    function finalize(uint256 pick) external atBlock {
        bytes32 id = _pick(pick);
        if (id == 0) return;
        Settlement.Proposal memory p = s.proposalOf(id);
        bool due = (p.state == Settlement.State.Proposed && currentBlock > p.deadline)
            || p.state == Settlement.State.Rejected;
        if (!due) {
            try s.finalize(id, _payees[id], _amounts[id]) { probesThatDidNotRevert++; } catch {}
            return;
        }
        s.finalize(id, _payees[id], _amounts[id]);
        ghostSettled += p.total;
        ghostBonds -= P_BOND;
        if (++settleCount[id] > maxSettleCount) maxSettleCount = settleCount[id];
        finalized++;
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function payeeBalances() external view returns (uint256 sum) {
        for (uint256 i = 0; i < PAYEES; i++) sum += token.balanceOf(payees[i]);
    }

    /// Proposes `b` with a random split of a random total within the cap; 0 when nothing is left.
    function _propose(Batch memory b, uint256 seed) internal returns (bytes32 id) {
        uint256 fees = s.feesThrough(b.end);
        uint256 used = s.totalPending() + s.totalSettled();
        if (fees <= used) return 0;
        (address[] memory p, uint256[] memory a) = _split(bound(seed, 1, fees - used), seed);
        id = keccak256(abi.encode(block.chainid, b.start, b.end, b.subBatch));
        vm.prank(settler);
        s.propose(id, b.start, b.end, b.subBatch, b.count, p, a, keccak256(abi.encode(seed)));
        (_payees[id], _amounts[id]) = (p, a);
        if (!_known[id]) {
            (_known[id], _batch[id]) = (true, b);
            ids.push(id);
        }
        ghostBonds += P_BOND;
        proposed++;
    }

    /// `total` over 1 to 4 payees (a payee may get 0), chosen by `seed`.
    function _split(uint256 total, uint256 seed) internal view returns (address[] memory p, uint256[] memory a) {
        uint256 n = bound(seed >> 128, 1, PAYEES);
        p = new address[](n);
        a = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            p[i] = payees[(seed % PAYEES + i) % PAYEES];
            a[i] = i == n - 1 ? total : bound(uint256(keccak256(abi.encode(seed, i))), 0, total);
            total -= a[i];
        }
    }

    function _pick(uint256 pick) internal view returns (bytes32) {
        return ids.length == 0 ? bytes32(0) : ids[pick % ids.length];
    }

    function _fund(address who) internal {
        token.transfer(who, 1e30);
        vm.prank(who);
        token.approve(address(s), type(uint256).max);
    }
}
