// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title Pull payment by Merkle proof of cumulative amounts (MerkleDistributor-style): the design
/// measured against Settlement's push payment and not deployed (docs/PAYMENTS.md, "Optimistic
/// settlement"; docs/BENCHMARKS.md). Each root commits to every payee's cumulative earnings; a
/// payee claims the difference from what they already claimed, so a later root supersedes
/// earlier ones and nothing is claimed twice.
contract CumulativeClaims is Ownable {
    using SafeERC20 for IERC20;

    error InvalidProof(address account, uint256 cumulative);
    error NothingToClaim(address account, uint256 cumulative, uint256 claimed);

    event RootPublished(bytes32 root);
    event Claimed(address indexed account, uint256 amount, uint256 cumulative);

    IERC20 public immutable token;
    bytes32 public root;
    mapping(address => uint256) public claimed;

    constructor(address owner_, IERC20 token_) Ownable(owner_) {
        token = token_;
    }

    /// @notice In the optimistic design this is what a finalized batch would do instead of paying.
    function publish(bytes32 root_) external onlyOwner {
        root = root_;
        emit RootPublished(root_);
    }

    /// @notice Pays `account` its cumulative earnings under the current root less what it claimed.
    /// Leaves are keccak256(keccak256(abi.encode(account, cumulative))), pairs hashed sorted.
    function claim(address account, uint256 cumulative, bytes32[] calldata proof) external {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulative))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof(account, cumulative);
        uint256 already = claimed[account];
        if (cumulative <= already) revert NothingToClaim(account, cumulative, already);
        claimed[account] = cumulative;
        token.safeTransfer(account, cumulative - already);
        emit Claimed(account, cumulative - already, cumulative);
    }
}
