// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from
    "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {
    TooLong,
    TooMany,
    MAX_CALLDATA_BYTES,
    MAX_DESCRIPTION_BYTES,
    MAX_PROPOSAL_ACTIONS,
    MAX_REASON_BYTES,
    MAX_VOTE_PARAMS_BYTES
} from "./InputLimits.sol";

/// @title Token-holder governance of the protocol: OPEN holders propose and vote; passed proposals
/// are queued in and executed by the timelock, which owns ProtocolParams. Anyone may propose (no
/// threshold) and vote (with no weight), so what a proposal and a vote put in their logs is capped
/// (InputLimits.sol): the description, the number of actions, each action's calldata, the reason.
contract OpenGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    constructor(IVotes token, TimelockController timelock, uint48 votingDelay, uint32 votingPeriod, uint256 quorumPercent)
        Governor("OpenGovernor")
        GovernorSettings(votingDelay, votingPeriod, 0)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock)
    {}

    /// Caps what ProposalCreated carries (and, once queued, the timelock's CallScheduled). The
    /// Governor itself requires targets, values and calldatas of equal length before it emits.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256) {
        if (bytes(description).length > MAX_DESCRIPTION_BYTES) {
            revert TooLong("description", bytes(description).length, MAX_DESCRIPTION_BYTES);
        }
        if (targets.length > MAX_PROPOSAL_ACTIONS) revert TooMany("targets", targets.length, MAX_PROPOSAL_ACTIONS);
        for (uint256 i = 0; i < calldatas.length; i++) {
            if (calldatas[i].length > MAX_CALLDATA_BYTES) {
                revert TooLong("calldata", calldatas[i].length, MAX_CALLDATA_BYTES);
            }
        }
        return super._propose(targets, values, calldatas, description, proposer);
    }

    /// Caps what VoteCast carries: every way to vote (with or without a reason, by signature) ends here.
    function _castVote(uint256 proposalId, address account, uint8 support, string memory reason, bytes memory params)
        internal
        override
        returns (uint256)
    {
        if (bytes(reason).length > MAX_REASON_BYTES) revert TooLong("reason", bytes(reason).length, MAX_REASON_BYTES);
        if (params.length > MAX_VOTE_PARAMS_BYTES) revert TooLong("params", params.length, MAX_VOTE_PARAMS_BYTES);
        return super._castVote(proposalId, account, support, reason, params);
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
