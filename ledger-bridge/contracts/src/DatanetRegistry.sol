// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {TooLong, ZeroAddress, MAX_NAME_BYTES, MAX_URI_BYTES} from "./InputLimits.sol";

interface IMinContributionStake {
    function minContributionStake() external view returns (uint256);
}

/// @title Datanets (community data pools) and the staked contributions made to them.
/// @notice Contributors stake OPEN on each contribution; a Datanet's curators accept or reject it.
/// The flagger role (the pipeline's key) flags a contribution once, which freezes its stake until
/// the slasher role (governance: only the timelock holds it) slashes it to the treasury or clears
/// the flag, or until the flag expires (a governed number of blocks fixed at flag time), so a rogue
/// flagger can freeze a stake at most that long. The contributor may dispute an open flag.
/// Stakes are withdrawable after a cool-down, unless slashed or frozen. Events carry every field the pipeline needs. A governed floor (ProtocolParams)
/// bounds every Datanet's minimum stake and every contribution's stake from below. Names and
/// content URIs are capped (InputLimits.sol) so no log outgrows a Kafka record.
contract DatanetRegistry is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    bytes32 public constant FLAGGER_ROLE = keccak256("FLAGGER_ROLE");

    /// @notice The longest a flag may freeze a stake: about 139 days of 12-second blocks.
    uint64 public constant MAX_FLAG_EXPIRY_BLOCKS = 1_000_000;
    /// @notice A flag's evidence (text or a URI to it) is capped like a content URI: it is logged.
    uint256 public constant MAX_EVIDENCE_BYTES = MAX_URI_BYTES;

    enum Status {
        None,
        Pending,
        Accepted,
        Rejected,
        Slashed,
        Withdrawn
    }

    struct Datanet {
        address owner;
        uint256 minStake;
        string name;
    }

    /// @notice Open (Flagged, Disputed) freezes the stake until expiresAt; the others do not.
    enum FlagState {
        None,
        Flagged,
        Disputed,
        Cleared,
        Slashed
    }

    struct Flag {
        uint64 flaggedAt;
        uint64 expiresAt;
        uint8 reasonCode;
        FlagState state;
    }

    struct Contribution {
        uint256 datanetId;
        address contributor;
        uint256 stake;
        uint64 contributedAt;
        Status status;
    }

    error UnknownDatanet(uint256 datanetId);
    error UnknownContribution(uint256 contributionId);
    error StakeTooLow(uint256 stake, uint256 minStake);
    error MinStakeBelowFloor(uint256 minStake, uint256 floor);
    error NotCurator(address account, uint256 datanetId);
    error NotDatanetOwner(address account, uint256 datanetId);
    error NotContributor(address account, uint256 contributionId);
    error AlreadyReviewed(uint256 contributionId, Status status);
    error Closed(uint256 contributionId, Status status);
    error CoolDown(uint256 contributionId, uint256 availableAtBlock);
    error InvalidContent();
    error AlreadyFlagged(uint256 contributionId, FlagState state);
    error NotOpen(uint256 contributionId, FlagState state);
    error Frozen(uint256 contributionId, uint256 untilBlock);
    error InvalidFlagExpiry(uint64 blocks);

    event DatanetCreated(uint256 indexed datanetId, address indexed owner, string name, uint256 minStake);
    event CuratorSet(uint256 indexed datanetId, address indexed curator, bool enabled);
    event DataContributed(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        bytes32 contentHash,
        string contentUri,
        uint256 stake
    );
    event ContributionReviewed(
        uint256 indexed contributionId, uint256 indexed datanetId, address indexed curator, bool accepted
    );
    event StakeSlashed(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        uint256 amount,
        uint8 reasonCode
    );
    event ContributionFlagged(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        address flagger,
        uint8 reasonCode,
        uint64 expiresAtBlock,
        string evidence
    );
    event FlagDisputed(uint256 indexed contributionId, uint256 indexed datanetId, address indexed contributor);
    event FlagCleared(uint256 indexed contributionId, uint256 indexed datanetId, address indexed contributor);
    event FlagExpiryChanged(uint64 flagExpiryBlocks);
    event StakeWithdrawn(
        uint256 indexed contributionId, uint256 indexed datanetId, address indexed contributor, uint256 amount
    );

    IERC20 public immutable token;
    address public immutable treasury;
    uint64 public immutable coolDownBlocks;
    IMinContributionStake public immutable params;

    uint256 public datanetCount;
    uint256 public contributionCount;
    mapping(uint256 => Datanet) private _datanets;
    mapping(uint256 => Contribution) private _contributions;
    mapping(uint256 => mapping(address => bool)) public isCurator;
    mapping(uint256 => Flag) private _flags;
    /// @notice How long a new flag freezes a stake, in blocks; changed by governance only.
    uint64 public flagExpiryBlocks;

    constructor(
        address admin,
        IERC20 token_,
        address treasury_,
        uint64 coolDownBlocks_,
        IMinContributionStake params_,
        uint64 flagExpiryBlocks_
    ) {
        // Slashed stakes are paid to the treasury, for good: it can never be the zero address.
        if (treasury_ == address(0)) revert ZeroAddress("treasury");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
        treasury = treasury_;
        coolDownBlocks = coolDownBlocks_;
        params = params_;
        _setFlagExpiry(flagExpiryBlocks_);
    }

    /// @notice Anyone may open a Datanet, with a minimum stake at least the governed floor and a
    /// name of at most 256 bytes; its creator owns it and appoints its curators.
    function createDatanet(string calldata name, uint256 minStake) external returns (uint256 datanetId) {
        if (bytes(name).length > MAX_NAME_BYTES) revert TooLong("name", bytes(name).length, MAX_NAME_BYTES);
        uint256 floor = params.minContributionStake();
        if (minStake < floor) revert MinStakeBelowFloor(minStake, floor);
        datanetId = ++datanetCount;
        _datanets[datanetId] = Datanet(msg.sender, minStake, name);
        emit DatanetCreated(datanetId, msg.sender, name, minStake);
    }

    /// @notice Only the Datanet's owner appoints or removes its curators.
    function setCurator(uint256 datanetId, address curator, bool enabled) external {
        if (_datanets[datanetId].owner != msg.sender) revert NotDatanetOwner(msg.sender, datanetId);
        isCurator[datanetId][curator] = enabled;
        emit CuratorSet(datanetId, curator, enabled);
    }

    /// @notice Contributes content (its keccak-256 and where to fetch it), pulling `stake` OPEN from the caller.
    /// The stake must reach the Datanet's minimum and the governed floor in force now (governance
    /// may have raised it since the Datanet was opened). The URI is 1 to 2048 bytes.
    function contribute(uint256 datanetId, bytes32 contentHash, string calldata contentUri, uint256 stake)
        external
        returns (uint256 contributionId)
    {
        Datanet storage d = _datanets[datanetId];
        if (d.owner == address(0)) revert UnknownDatanet(datanetId);
        uint256 required = d.minStake;
        uint256 floor = params.minContributionStake();
        if (floor > required) required = floor;
        if (stake < required) revert StakeTooLow(stake, required);
        if (contentHash == bytes32(0) || bytes(contentUri).length == 0) revert InvalidContent();
        if (bytes(contentUri).length > MAX_URI_BYTES) {
            revert TooLong("contentUri", bytes(contentUri).length, MAX_URI_BYTES);
        }
        contributionId = ++contributionCount;
        _contributions[contributionId] =
            Contribution(datanetId, msg.sender, stake, uint64(block.number), Status.Pending);
        token.safeTransferFrom(msg.sender, address(this), stake);
        emit DataContributed(contributionId, datanetId, msg.sender, contentHash, contentUri, stake);
    }

    /// @notice A curator of the contribution's Datanet accepts or rejects it, once.
    function review(uint256 contributionId, bool accepted) external {
        Contribution storage c = _existing(contributionId);
        if (!isCurator[c.datanetId][msg.sender]) revert NotCurator(msg.sender, c.datanetId);
        if (c.status != Status.Pending) revert AlreadyReviewed(contributionId, c.status);
        c.status = accepted ? Status.Accepted : Status.Rejected;
        emit ContributionReviewed(contributionId, c.datanetId, msg.sender, accepted);
    }

    /// @notice The flagger role flags a contribution not yet slashed or withdrawn, once ever: its
    /// stake is frozen until governance slashes it or clears the flag, or the flag expires
    /// (`flagExpiryBlocks` from now). `evidence` (at most 2048 bytes) says why, for the voters.
    function flag(uint256 contributionId, uint8 reasonCode, string calldata evidence)
        external
        onlyRole(FLAGGER_ROLE)
    {
        Contribution storage c = _existing(contributionId);
        if (c.status == Status.Slashed || c.status == Status.Withdrawn) revert Closed(contributionId, c.status);
        Flag storage f = _flags[contributionId];
        // Once ever: a flag that expired or was cleared cannot be renewed to freeze a stake again.
        if (f.state != FlagState.None) revert AlreadyFlagged(contributionId, f.state);
        if (bytes(evidence).length > MAX_EVIDENCE_BYTES) {
            revert TooLong("evidence", bytes(evidence).length, MAX_EVIDENCE_BYTES);
        }
        uint64 expiresAt = uint64(block.number) + flagExpiryBlocks;
        _flags[contributionId] = Flag(uint64(block.number), expiresAt, reasonCode, FlagState.Flagged);
        emit ContributionFlagged(
            contributionId, c.datanetId, c.contributor, msg.sender, reasonCode, expiresAt, evidence
        );
    }

    /// @notice The contributor disputes an open, unexpired flag; governance then slashes or clears.
    function dispute(uint256 contributionId) external {
        Contribution storage c = _existing(contributionId);
        if (c.contributor != msg.sender) revert NotContributor(msg.sender, contributionId);
        Flag storage f = _flags[contributionId];
        if (f.state != FlagState.Flagged || block.number >= f.expiresAt) {
            revert NotOpen(contributionId, f.state);
        }
        f.state = FlagState.Disputed;
        emit FlagDisputed(contributionId, c.datanetId, c.contributor);
    }

    /// @notice Governance (the slasher role) lifts an open flag: the stake is free again.
    function clearFlag(uint256 contributionId) external onlyRole(SLASHER_ROLE) {
        Contribution storage c = _existing(contributionId);
        Flag storage f = _flags[contributionId];
        if (f.state != FlagState.Flagged && f.state != FlagState.Disputed) revert NotOpen(contributionId, f.state);
        f.state = FlagState.Cleared;
        emit FlagCleared(contributionId, c.datanetId, c.contributor);
    }

    /// @notice The slasher role (governance) sends a contribution's remaining stake to the treasury,
    /// flagged or not; an open flag is thereby decided. A rejected contribution can still be
    /// slashed; a withdrawn or already slashed one cannot.
    function slash(uint256 contributionId, uint8 reasonCode) external onlyRole(SLASHER_ROLE) {
        Contribution storage c = _existing(contributionId);
        if (c.status == Status.Slashed || c.status == Status.Withdrawn) revert Closed(contributionId, c.status);
        uint256 amount = c.stake;
        c.stake = 0;
        c.status = Status.Slashed;
        Flag storage f = _flags[contributionId];
        if (f.state != FlagState.None) f.state = FlagState.Slashed;
        token.safeTransfer(treasury, amount);
        emit StakeSlashed(contributionId, c.datanetId, c.contributor, amount, reasonCode);
    }

    /// @notice The contributor takes the stake back after the cool-down, unless an open flag still
    /// freezes it; the contribution stops earning.
    function withdrawStake(uint256 contributionId) external {
        Contribution storage c = _existing(contributionId);
        if (c.contributor != msg.sender) revert NotContributor(msg.sender, contributionId);
        if (c.status == Status.Slashed || c.status == Status.Withdrawn) revert Closed(contributionId, c.status);
        uint256 availableAt = uint256(c.contributedAt) + coolDownBlocks;
        if (block.number < availableAt) revert CoolDown(contributionId, availableAt);
        if (isFrozen(contributionId)) revert Frozen(contributionId, _flags[contributionId].expiresAt);
        uint256 amount = c.stake;
        c.stake = 0;
        c.status = Status.Withdrawn;
        token.safeTransfer(msg.sender, amount);
        emit StakeWithdrawn(contributionId, c.datanetId, msg.sender, amount);
    }

    /// @notice Governance (the admin, i.e. the timelock) sets how long new flags freeze a stake:
    /// 1 to MAX_FLAG_EXPIRY_BLOCKS. Flags already raised keep the expiry they were raised with.
    function setFlagExpiryBlocks(uint64 blocks) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFlagExpiry(blocks);
    }

    /// @notice True while an open flag freezes the contribution's stake.
    function isFrozen(uint256 contributionId) public view returns (bool) {
        Flag storage f = _flags[contributionId];
        return (f.state == FlagState.Flagged || f.state == FlagState.Disputed) && block.number < f.expiresAt;
    }

    function flagOf(uint256 contributionId) external view returns (Flag memory) {
        return _flags[contributionId];
    }

    function datanet(uint256 datanetId) external view returns (Datanet memory) {
        return _datanets[datanetId];
    }

    function contribution(uint256 contributionId) external view returns (Contribution memory) {
        return _contributions[contributionId];
    }

    function exists(uint256 datanetId) external view returns (bool) {
        return _datanets[datanetId].owner != address(0);
    }

    function _setFlagExpiry(uint64 blocks) private {
        if (blocks == 0 || blocks > MAX_FLAG_EXPIRY_BLOCKS) revert InvalidFlagExpiry(blocks);
        flagExpiryBlocks = blocks;
        emit FlagExpiryChanged(blocks);
    }

    function _existing(uint256 contributionId) private view returns (Contribution storage c) {
        c = _contributions[contributionId];
        if (c.status == Status.None) revert UnknownContribution(contributionId);
    }
}
