// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {TooMany, MAX_BATCH_PAYEES} from "./InputLimits.sol";

/// @title The escrow of inference fees and the capped, idempotent payout of settlement windows.
/// @notice The market records each fee in the block it is paid; the escrow keeps the cumulative
/// fees per block. The settler pays a closed block window's batches (its sub-batches), windows in
/// increasing order, each batch once (its id derives from its window), and never more in all than
/// the fees paid up to the window's last block. The event carries the whole batch, of at most
/// 1000 payees (InputLimits.sol).
contract Settlement is AccessControl {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    /// @notice The last window settled: its blocks and its number of sub-batches (0: none yet).
    struct Window {
        uint64 start;
        uint64 end;
        uint32 subBatchCount;
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

    event FeeEscrowed(uint256 amount, uint256 escrowed);
    event BatchSettled(
        bytes32 indexed batchId, bytes32 attributionRoot, uint256 total, address[] payees, uint256[] amounts
    );

    IERC20 public immutable token;
    /// @notice Everything paid out by settled batches.
    uint256 public totalSettled;
    Checkpoints.Trace208 private _fees; // cumulative fees, keyed by the block they were paid in
    Window private _last;
    mapping(bytes32 => bool) private _settled;

    constructor(address admin, IERC20 token_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
    }

    /// @notice Called by the inference market, in the fee's block, after moving the fee here.
    function recordFee(uint256 amount) external onlyRole(MARKET_ROLE) {
        uint256 fees = uint256(_fees.latest()) + amount;
        // The first fee of a block adds a checkpoint; later ones in the same block update it.
        _fees.push(SafeCast.toUint48(block.number), SafeCast.toUint208(fees));
        emit FeeEscrowed(amount, fees - totalSettled);
    }

    /// @notice Pays sub-batch `subBatch` of `subBatchCount` of the closed window
    /// [`windowStart`, `windowEnd`]. Reverts on a batch id already used (a retried send cannot pay
    /// twice), on an id not derived from its window (a window cannot be paid under a new id), on a
    /// window at or before the last settled one unless it is that very window, and when the
    /// settled total would exceed the fees paid up to the window's last block.
    function settle(
        bytes32 batchId,
        uint256 windowStart,
        uint256 windowEnd,
        uint256 subBatch,
        uint256 subBatchCount,
        address[] calldata payees,
        uint256[] calldata amounts,
        bytes32 attributionRoot
    ) external onlyRole(SETTLER_ROLE) {
        if (_settled[batchId]) revert BatchAlreadySettled(batchId);
        bytes32 expected = keccak256(abi.encode(block.chainid, windowStart, windowEnd, subBatch));
        if (batchId != expected) revert BatchIdMismatch(batchId, expected);
        if (attributionRoot == bytes32(0)) revert ZeroRoot();
        _admitWindow(windowStart, windowEnd, subBatch, subBatchCount);
        _settled[batchId] = true;
        uint256 total = _pay(payees, amounts, windowEnd);
        emit BatchSettled(batchId, attributionRoot, total, payees, amounts);
    }

    /// @notice Fees escrowed and not yet paid out (what the FeeEscrowed event reports).
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

    /// @notice The last window a batch was settled for; subBatchCount 0 when none was.
    function lastWindow() external view returns (Window memory) {
        return _last;
    }

    function isSettled(bytes32 batchId) external view returns (bool) {
        return _settled[batchId];
    }

    /// Windows are closed block ranges paid in increasing order: a new window must start after the
    /// last one ends; the last one itself stays open for its other sub-batches, whose count its
    /// first settled sub-batch fixed.
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

    /// One pass: sum, check against the window's cap, pay. Going over reverts the whole transaction.
    function _pay(address[] calldata payees, uint256[] calldata amounts, uint256 windowEnd)
        private
        returns (uint256 total)
    {
        uint256 n = payees.length;
        // Bounds BatchSettled (64 bytes a payee) whatever the block gas limit of the chain.
        if (n > MAX_BATCH_PAYEES) revert TooMany("payees", n, MAX_BATCH_PAYEES);
        if (n != amounts.length) revert LengthMismatch(n, amounts.length);
        if (n == 0) revert EmptyBatch();
        uint256 settled = totalSettled;
        // Windows only advance and a past block's fees never change, so settled <= feesThrough.
        uint256 available = feesThrough(windowEnd) - settled;
        for (uint256 i = 0; i < n;) {
            address payee = payees[i];
            uint256 amount = amounts[i];
            if (payee == address(0)) revert ZeroPayee(i);
            total += amount;
            if (total > available) revert WindowCapExceeded(total, available);
            token.safeTransfer(payee, amount);
            unchecked {
                ++i;
            }
        }
        totalSettled = settled + total;
    }
}
