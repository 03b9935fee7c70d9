// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {TooMany, ZeroAddress, MAX_BATCH_PAYEES} from "./InputLimits.sol";

/// @title The escrow of inference fees and the optimistic, capped, idempotent payout of settlement
/// windows.
/// @notice The market records each fee in the block it is paid; the escrow keeps the cumulative
/// fees per block. The settler proposes a closed block window's batches (its sub-batches), windows
/// in increasing order, each under the id derived from its window, with a bond; a proposal commits
/// to its payees and amounts and is capped, with every other proposal not yet paid, by the fees
/// paid up to the window's last block. For `challengeWindowBlocks` blocks anyone may challenge it
/// with a bond; unchallenged, anyone may then finalize it, which pays it (BatchSettled) and returns
/// the proposer's bond. Governance (the timelock, DEFAULT_ADMIN_ROLE) resolves a challenge: upheld,
/// the proposal is void, its fees stay escrowed, the window may be proposed again under the same id
/// and the proposer's bond goes to the challenger; rejected, the challenger's bond goes to the
/// treasury and the batch may be finalized. A batch id pays at most once. docs/PAYMENTS.md,
/// "Optimistic settlement".
contract Settlement is AccessControl {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    /// @notice A batch id's state. A voided proposal (challenge upheld) returns to None.
    enum State {
        None,
        Proposed,
        Challenged,
        Rejected, // its challenge was rejected: finalizable at once
        Settled
    }

    /// @notice The last window proposed: its blocks and its number of sub-batches (0: none yet).
    struct Window {
        uint64 start;
        uint64 end;
        uint32 subBatchCount;
    }

    /// @notice One batch id's proposal, in four slots written by `propose` (and one by
    /// `challenge`). subBatchCount outlives a voided proposal, so the same window can be proposed
    /// again under its id whatever windows came since.
    struct Proposal {
        bytes32 commitment; // keccak256(abi.encode(payees, amounts))
        bytes32 attributionRoot;
        uint160 total;
        uint96 proposerBond;
        address proposer;
        uint48 deadline; // the last block a challenge is taken in
        State state;
        uint32 subBatchCount;
        address challenger;
        uint96 challengerBond;
    }

    error BatchAlreadySettled(bytes32 batchId);
    error BatchIdMismatch(bytes32 batchId, bytes32 expected);
    error InvalidWindow(uint256 windowStart, uint256 windowEnd);
    error WindowNotClosed(uint256 windowEnd, uint256 blockNumber);
    error WindowOutOfOrder(uint256 windowStart, uint256 windowEnd, uint256 lastStart, uint256 lastEnd);
    error SubBatchOutOfRange(uint256 subBatch, uint256 subBatchCount);
    error SubBatchCountMismatch(uint256 subBatchCount, uint256 fixedCount);
    error WindowCapExceeded(uint256 requested, uint256 available);
    error ZeroRoot();
    error LengthMismatch(uint256 payees, uint256 amounts);
    error EmptyBatch();
    error ZeroPayee(uint256 index);
    error BatchAlreadyProposed(bytes32 batchId, State state);
    error WrongState(bytes32 batchId, State state);
    error ChallengeWindowOpen(bytes32 batchId, uint256 deadline, uint256 blockNumber);
    error ChallengeWindowClosed(bytes32 batchId, uint256 deadline, uint256 blockNumber);
    error CommitmentMismatch(bytes32 batchId);
    error InvalidChallengeParams(string reason);

    event FeeEscrowed(uint256 amount, uint256 escrowed);
    event BatchProposed(
        bytes32 indexed batchId,
        address indexed proposer,
        uint256 windowStart,
        uint256 windowEnd,
        uint256 subBatch,
        uint256 subBatchCount,
        bytes32 attributionRoot,
        uint256 total,
        uint256 challengeDeadline,
        address[] payees,
        uint256[] amounts
    );
    event BatchChallenged(bytes32 indexed batchId, address indexed challenger, uint256 bond);
    event BatchResolved(bytes32 indexed batchId, bool upheld, address bondWinner, uint256 bondPaid);
    event BatchSettled(
        bytes32 indexed batchId, bytes32 attributionRoot, uint256 total, address[] payees, uint256[] amounts
    );
    event ChallengeParamsChanged(uint64 challengeWindowBlocks, uint256 proposerBond, uint256 challengerBond);

    IERC20 public immutable token;
    /// @notice Receives the bond of a rejected challenge.
    address public immutable treasury;
    /// @notice Everything paid out by settled batches.
    uint256 public totalSettled;
    /// Every live proposal's total, paid or not (voided ones leave it): what the cap counts.
    /// Cumulative counters rather than a pending sum, so that no slot returns to zero between
    /// batches and costs a fresh write on the next (docs/BENCHMARKS.md).
    uint256 private _totalCommitted;
    uint256 private _bondsTaken;
    uint256 private _bondsReleased;
    /// @notice Blocks after its proposal in which a batch may be challenged (governed).
    uint64 public challengeWindowBlocks;
    /// @notice The bonds (wei of the token) a proposal and a challenge take (governed).
    uint256 public proposerBond;
    uint256 public challengerBond;
    Checkpoints.Trace208 private _fees; // cumulative fees, keyed by the block they were paid in
    Window private _last;
    mapping(bytes32 => Proposal) private _proposals;

    constructor(
        address admin,
        IERC20 token_,
        address treasury_,
        uint64 challengeWindowBlocks_,
        uint256 proposerBond_,
        uint256 challengerBond_
    ) {
        if (treasury_ == address(0)) revert ZeroAddress("treasury");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
        treasury = treasury_;
        _setChallengeParams(challengeWindowBlocks_, proposerBond_, challengerBond_);
    }

    /// @notice Called by the inference market, in the fee's block, after moving the fee here.
    function recordFee(uint256 amount) external onlyRole(MARKET_ROLE) {
        uint256 fees = uint256(_fees.latest()) + amount;
        // The first fee of a block adds a checkpoint; later ones in the same block update it.
        _fees.push(SafeCast.toUint48(block.number), SafeCast.toUint208(fees));
        emit FeeEscrowed(amount, fees - totalSettled);
    }

    /// @notice Only governance (the timelock executing a passed proposal) changes the challenge
    /// window and the bonds; proposals already made keep theirs.
    function setChallengeParams(uint64 windowBlocks, uint256 proposerBond_, uint256 challengerBond_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setChallengeParams(windowBlocks, proposerBond_, challengerBond_);
    }

    /// @notice Proposes sub-batch `subBatch` of `subBatchCount` of the closed window
    /// [`windowStart`, `windowEnd`], taking the proposer's bond. Reverts on a batch id paid or
    /// pending, on an id not derived from its window, on a window at or before the last proposed
    /// one unless it is that very window (or this id's own voided window), and when the proposed
    /// and paid totals would exceed the fees paid up to the window's last block.
    function propose(
        bytes32 batchId,
        uint256 windowStart,
        uint256 windowEnd,
        uint256 subBatch,
        uint256 subBatchCount,
        address[] calldata payees,
        uint256[] calldata amounts,
        bytes32 attributionRoot
    ) external onlyRole(SETTLER_ROLE) {
        Proposal storage p = _proposals[batchId];
        if (p.state == State.Settled) revert BatchAlreadySettled(batchId);
        if (p.state != State.None) revert BatchAlreadyProposed(batchId, p.state);
        bytes32 expected = keccak256(abi.encode(block.chainid, windowStart, windowEnd, subBatch));
        if (batchId != expected) revert BatchIdMismatch(batchId, expected);
        if (attributionRoot == bytes32(0)) revert ZeroRoot();
        if (p.subBatchCount == 0) {
            _admitWindow(windowStart, windowEnd, subBatch, subBatchCount);
        } else if (subBatchCount != p.subBatchCount) {
            // a voided proposal's window, admitted once: proposed again as the same sub-batch
            revert SubBatchCountMismatch(subBatchCount, p.subBatchCount);
        }
        _record(batchId, windowEnd, subBatchCount, payees, amounts, attributionRoot);
        _emitProposed(batchId, windowStart, windowEnd, subBatch, payees, amounts);
    }

    /// Checks the batch against the cap, stores the proposal and takes the bond.
    function _record(
        bytes32 batchId,
        uint256 windowEnd,
        uint256 subBatchCount,
        address[] calldata payees,
        uint256[] calldata amounts,
        bytes32 attributionRoot
    ) private {
        uint256 total = _checkBatch(payees, amounts, windowEnd);
        uint256 bond = proposerBond;
        Proposal storage p = _proposals[batchId];
        p.commitment = keccak256(abi.encode(payees, amounts));
        p.attributionRoot = attributionRoot;
        // the total is at most the fees ever escrowed (uint208), the bond a governed uint96
        (p.total, p.proposerBond) = (SafeCast.toUint160(total), uint96(bond));
        (p.proposer, p.deadline, p.state, p.subBatchCount) =
            (msg.sender, SafeCast.toUint48(block.number + challengeWindowBlocks), State.Proposed, uint32(subBatchCount));
        _totalCommitted += total;
        _takeBond(bond);
    }

    /// The proposal as stored, with the payees and amounts watchers replay it against.
    function _emitProposed(
        bytes32 batchId,
        uint256 windowStart,
        uint256 windowEnd,
        uint256 subBatch,
        address[] calldata payees,
        uint256[] calldata amounts
    ) private {
        Proposal storage p = _proposals[batchId];
        emit BatchProposed(
            batchId,
            msg.sender,
            windowStart,
            windowEnd,
            subBatch,
            p.subBatchCount,
            p.attributionRoot,
            p.total,
            p.deadline,
            payees,
            amounts
        );
    }

    /// @notice Anyone may challenge a proposal up to and including its deadline block, with a bond.
    function challenge(bytes32 batchId) external {
        Proposal storage p = _proposals[batchId];
        if (p.state != State.Proposed) revert WrongState(batchId, p.state);
        if (block.number > p.deadline) revert ChallengeWindowClosed(batchId, p.deadline, block.number);
        uint256 bond = challengerBond;
        p.state = State.Challenged;
        p.challenger = msg.sender;
        p.challengerBond = uint96(bond);
        _takeBond(bond);
        emit BatchChallenged(batchId, msg.sender, bond);
    }

    /// @notice Governance decides a challenge. Upheld: the proposal is void (its total leaves the
    /// pending sum, its fees stay escrowed, the id may be proposed again) and the challenger gets
    /// both bonds. Rejected: the challenger's bond goes to the treasury; the batch is finalizable.
    function resolve(bytes32 batchId, bool upheld) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Proposal storage p = _proposals[batchId];
        if (p.state != State.Challenged) revert WrongState(batchId, p.state);
        uint256 bonds = uint256(p.proposerBond) + p.challengerBond;
        address winner;
        uint256 paid;
        if (upheld) {
            winner = p.challenger;
            paid = bonds;
            _totalCommitted -= p.total;
            _bondsReleased += bonds;
            // Keep only what a new proposal of this id needs: its window's sub-batch count.
            uint32 count = p.subBatchCount;
            delete _proposals[batchId];
            _proposals[batchId].subBatchCount = count;
        } else {
            winner = treasury;
            paid = p.challengerBond;
            p.state = State.Rejected;
            p.challengerBond = 0;
            _bondsReleased += paid;
        }
        if (paid != 0) token.safeTransfer(winner, paid);
        emit BatchResolved(batchId, upheld, winner, paid);
    }

    /// @notice Anyone may pay an unchallenged proposal after its deadline, or a rejected
    /// challenge's, given the payees and amounts it committed to; the proposer's bond returns.
    function finalize(bytes32 batchId, address[] calldata payees, uint256[] calldata amounts) external {
        Proposal storage p = _proposals[batchId];
        State state = p.state;
        if (state == State.Settled) revert BatchAlreadySettled(batchId);
        if (state == State.Proposed) {
            if (block.number <= p.deadline) revert ChallengeWindowOpen(batchId, p.deadline, block.number);
        } else if (state != State.Rejected) {
            revert WrongState(batchId, state);
        }
        if (keccak256(abi.encode(payees, amounts)) != p.commitment) revert CommitmentMismatch(batchId);
        uint256 total = p.total;
        uint256 bond = p.proposerBond;
        address proposer = p.proposer;
        p.state = State.Settled;
        p.proposerBond = 0;
        totalSettled += total;
        _bondsReleased += bond;
        uint256 n = payees.length;
        for (uint256 i = 0; i < n;) {
            token.safeTransfer(payees[i], amounts[i]);
            unchecked {
                ++i;
            }
        }
        if (bond != 0) token.safeTransfer(proposer, bond);
        emit BatchSettled(batchId, p.attributionRoot, total, payees, amounts);
    }

    /// @notice Fees escrowed and not yet paid out (what the FeeEscrowed event reports); pending
    /// proposals' fees are still escrowed. Bonds are held besides (bondsHeld).
    function escrowed() external view returns (uint256) {
        return uint256(_fees.latest()) - totalSettled;
    }

    /// @notice All fees ever recorded.
    function totalFees() external view returns (uint256) {
        return _fees.latest();
    }

    /// @notice The cumulative fees recorded in blocks up to and including `blockNumber`.
    function feesThrough(uint256 blockNumber) public view returns (uint256) {
        if (blockNumber >= type(uint48).max) return _fees.latest();
        return _fees.upperLookupRecent(uint48(blockNumber));
    }

    /// @notice The last window a batch was proposed for; subBatchCount 0 when none was.
    function lastWindow() external view returns (Window memory) {
        return _last;
    }

    /// @notice Proposed (or challenged, or rejected) and not yet paid: counted against the cap.
    function totalPending() external view returns (uint256) {
        return _totalCommitted - totalSettled;
    }

    /// @notice Bonds held for proposals and challenges not yet decided.
    function bondsHeld() external view returns (uint256) {
        return _bondsTaken - _bondsReleased;
    }

    /// @notice True once the batch is paid (finalized).
    function isSettled(bytes32 batchId) external view returns (bool) {
        return _proposals[batchId].state == State.Settled;
    }

    function proposalOf(bytes32 batchId) external view returns (Proposal memory) {
        return _proposals[batchId];
    }

    function _setChallengeParams(uint64 windowBlocks, uint256 proposerBond_, uint256 challengerBond_) private {
        // A zero window would let a proposal pay before anyone could look at it.
        if (windowBlocks == 0) revert InvalidChallengeParams("challenge window must be positive");
        if (proposerBond_ > type(uint96).max || challengerBond_ > type(uint96).max) {
            revert InvalidChallengeParams("bonds must fit 96 bits");
        }
        challengeWindowBlocks = windowBlocks;
        proposerBond = proposerBond_;
        challengerBond = challengerBond_;
        emit ChallengeParamsChanged(windowBlocks, proposerBond_, challengerBond_);
    }

    function _takeBond(uint256 bond) private {
        if (bond == 0) return;
        _bondsTaken += bond;
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// Windows are closed block ranges proposed in increasing order: a new window must start after
    /// the last one ends; the last one itself stays open for its other sub-batches, whose count its
    /// first proposed sub-batch fixed.
    function _admitWindow(uint256 windowStart, uint256 windowEnd, uint256 subBatch, uint256 subBatchCount)
        private
    {
        if (windowStart > windowEnd) revert InvalidWindow(windowStart, windowEnd);
        if (windowEnd >= block.number) revert WindowNotClosed(windowEnd, block.number);
        if (subBatch >= subBatchCount || subBatchCount > type(uint32).max) {
            revert SubBatchOutOfRange(subBatch, subBatchCount);
        }
        Window memory last = _last;
        if (last.subBatchCount != 0 && windowStart <= last.end) {
            if (windowStart != last.start || windowEnd != last.end) {
                revert WindowOutOfOrder(windowStart, windowEnd, last.start, last.end);
            }
            if (subBatchCount != last.subBatchCount) revert SubBatchCountMismatch(subBatchCount, last.subBatchCount);
        } else {
            // windowEnd < block.number, so both ends fit 64 bits
            _last = Window(uint64(windowStart), uint64(windowEnd), uint32(subBatchCount));
        }
    }

    /// Sums the batch and checks it, with everything paid or pending, against the window's cap.
    function _checkBatch(address[] calldata payees, uint256[] calldata amounts, uint256 windowEnd)
        private
        view
        returns (uint256 total)
    {
        uint256 n = payees.length;
        // Bounds BatchProposed and BatchSettled (64 bytes a payee) whatever the block gas limit.
        if (n > MAX_BATCH_PAYEES) revert TooMany("payees", n, MAX_BATCH_PAYEES);
        if (n != amounts.length) revert LengthMismatch(n, amounts.length);
        if (n == 0) revert EmptyBatch();
        uint256 used = _totalCommitted;
        uint256 fees = feesThrough(windowEnd);
        // A voided earlier window proposed again may find later windows paid past its own fees.
        uint256 available = fees > used ? fees - used : 0;
        for (uint256 i = 0; i < n;) {
            if (payees[i] == address(0)) revert ZeroPayee(i);
            total += amounts[i];
            if (total > available) revert WindowCapExceeded(total, available);
            unchecked {
                ++i;
            }
        }
    }
}
