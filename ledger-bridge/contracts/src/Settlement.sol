// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title The escrow of inference fees and the idempotent payout of settlement batches.
/// @notice The market records each fee it moves here; the settler pays a batch at most once (by
/// batch id) and never more than the escrowed, unsettled fees. The event carries the whole batch.
contract Settlement is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");

    error BatchAlreadySettled(bytes32 batchId);
    error LengthMismatch(uint256 payees, uint256 amounts);
    error EmptyBatch();
    error EscrowShortfall(uint256 requested, uint256 escrowed);
    error ZeroPayee(uint256 index);

    event FeeEscrowed(uint256 amount, uint256 escrowed);
    event BatchSettled(
        bytes32 indexed batchId, bytes32 attributionRoot, uint256 total, address[] payees, uint256[] amounts
    );

    IERC20 public immutable token;
    uint256 public escrowed;
    mapping(bytes32 => bool) private _settled;

    constructor(address admin, IERC20 token_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
    }

    /// @notice Called by the inference market after moving a fee here.
    function recordFee(uint256 amount) external onlyRole(MARKET_ROLE) {
        escrowed += amount;
        emit FeeEscrowed(amount, escrowed);
    }

    /// @notice Pays one batch. Reverts on a batch id already used, so a retried send cannot pay twice.
    function settle(bytes32 batchId, address[] calldata payees, uint256[] calldata amounts, bytes32 attributionRoot)
        external
        onlyRole(SETTLER_ROLE)
    {
        if (_settled[batchId]) revert BatchAlreadySettled(batchId);
        uint256 n = payees.length;
        if (n != amounts.length) revert LengthMismatch(n, amounts.length);
        if (n == 0) revert EmptyBatch();
        _settled[batchId] = true;
        // One pass: sum, check against the escrow, pay. A shortfall reverts the whole transaction.
        uint256 available = escrowed;
        uint256 total = 0;
        for (uint256 i = 0; i < n;) {
            address payee = payees[i];
            uint256 amount = amounts[i];
            if (payee == address(0)) revert ZeroPayee(i);
            total += amount;
            if (total > available) revert EscrowShortfall(total, available);
            token.safeTransfer(payee, amount);
            unchecked {
                ++i;
            }
        }
        escrowed = available - total;
        emit BatchSettled(batchId, attributionRoot, total, payees, amounts);
    }

    function isSettled(bytes32 batchId) external view returns (bool) {
        return _settled[batchId];
    }
}
