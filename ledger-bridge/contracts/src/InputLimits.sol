// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Caps on everything a caller can put into a log, shared by the contracts. The bridge writes each
// log of the deployment, unchanged, as one Kafka record; a record over the broker's message limit
// (1 MiB by default) fails the follower's transaction on every retry, so one cheap transaction
// with a huge string would stop the pipeline. With these caps the largest log any caller can make
// (a proposal at every cap) stays under 100 KiB. Lengths are in bytes (UTF-8), not characters.
// docs/SECURITY.md, "Strings and arrays from transactions", gives the reasons for each number.

/// A string or bytes argument longer than its cap, in bytes.
error TooLong(string field, uint256 length, uint256 max);

/// An array argument with more elements than its cap.
error TooMany(string field, uint256 count, uint256 max);

/// The zero address where an account that is paid must be named.
error ZeroAddress(string field);

// A content or query URI (contentUri, queryUri): a quarter of the fetcher's own 8192-character
// limit, and what common HTTP servers and sitemaps accept.
uint256 constant MAX_URI_BYTES = 2048;

// A Datanet's or a model's name: a label for people and dashboards.
uint256 constant MAX_NAME_BYTES = 256;

// The Datanets of one model.
uint256 constant MAX_MODEL_DATANETS = 64;

// A model's encoder id (the vector space its inferences are scored in, e.g. "minilm-l6-v2"): an
// identifier, not text; ASCII lowercase letters, digits, '.' and '-' only, so it is safe in every
// log line, metric label and file name the pipeline puts it in.
uint256 constant MAX_ENCODER_BYTES = 64;

// A governance proposal's description (markdown), its actions, and each action's calldata.
uint256 constant MAX_DESCRIPTION_BYTES = 16_384;
uint256 constant MAX_PROPOSAL_ACTIONS = 16;
uint256 constant MAX_CALLDATA_BYTES = 4096;

// A vote's reason; and its params, which the simple counting never reads, so none are taken.
uint256 constant MAX_REASON_BYTES = 1024;
uint256 constant MAX_VOTE_PARAMS_BYTES = 0;

// The payees of one settlement batch: about what a 30M-gas block can pay to new holders
// (~27k gas each), and the bound of the governed maxPayeesPerBatch.
uint256 constant MAX_BATCH_PAYEES = 1000;
