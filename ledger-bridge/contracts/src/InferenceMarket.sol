// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {TooLong, MAX_URI_BYTES} from "./InputLimits.sol";

interface IModelExists {
    function exists(uint256 modelId) external view returns (bool);
}

interface IFeeEscrow {
    function recordFee(uint256 amount) external;
}

interface IMinInferenceFee {
    function minInferenceFee() external view returns (uint256);
}

/// @title Paid inferences: a payer pays a fee in OPEN for one inference of a model.
/// @notice The fee goes straight into the settlement escrow; the query's content hash and URI are
/// recorded so the pipeline can attribute the inference to the contributions that influenced it.
/// A fee below the governed minimum is refused, so every inference (and every URI the pipeline
/// must fetch) costs its payer something.
contract InferenceMarket {
    using SafeERC20 for IERC20;

    error UnknownModel(uint256 modelId);
    error ZeroFee();
    error FeeBelowMinimum(uint256 fee, uint256 minFee);
    error InvalidQuery();

    event InferencePaid(
        uint256 indexed inferenceId,
        uint256 indexed modelId,
        address indexed payer,
        uint256 fee,
        bytes32 queryHash,
        string queryUri
    );

    IERC20 public immutable token;
    IModelExists public immutable models;
    address public immutable escrow;
    IMinInferenceFee public immutable params;
    uint256 public inferenceCount;

    constructor(IERC20 token_, IModelExists models_, address escrow_, IMinInferenceFee params_) {
        token = token_;
        models = models_;
        escrow = escrow_;
        params = params_;
    }

    /// @notice Anyone may pay for an inference of a registered model (the payer's own tokens move);
    /// the query URI is 1 to 2048 bytes (InputLimits.sol).
    function payForInference(uint256 modelId, uint256 fee, bytes32 queryHash, string calldata queryUri)
        external
        returns (uint256 inferenceId)
    {
        if (!models.exists(modelId)) revert UnknownModel(modelId);
        if (fee == 0) revert ZeroFee();
        uint256 minFee = params.minInferenceFee();
        if (fee < minFee) revert FeeBelowMinimum(fee, minFee);
        if (queryHash == bytes32(0) || bytes(queryUri).length == 0) revert InvalidQuery();
        if (bytes(queryUri).length > MAX_URI_BYTES) {
            revert TooLong("queryUri", bytes(queryUri).length, MAX_URI_BYTES);
        }
        inferenceId = ++inferenceCount;
        token.safeTransferFrom(msg.sender, escrow, fee);
        IFeeEscrow(escrow).recordFee(fee);
        emit InferencePaid(inferenceId, modelId, msg.sender, fee, queryHash, queryUri);
    }
}
