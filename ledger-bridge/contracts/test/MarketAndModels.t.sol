// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {Fixtures} from "./utils/Fixtures.sol";
import {OpenToken} from "../src/OpenToken.sol";
import {ProtocolParams} from "../src/ProtocolParams.sol";
import {DatanetRegistry, IMinContributionStake} from "../src/DatanetRegistry.sol";
import {ModelRegistry, IDatanetExists} from "../src/ModelRegistry.sol";
import {InferenceMarket, IModelExists, IMinInferenceFee} from "../src/InferenceMarket.sol";
import {Settlement} from "../src/Settlement.sol";
import {
    TooLong, TooMany, ZeroAddress, MAX_ENCODER_BYTES, MAX_MODEL_DATANETS, MAX_NAME_BYTES, MAX_URI_BYTES
} from "../src/InputLimits.sol";

/// ModelRegistry and InferenceMarket wired as deployed: models on Datanets, fees paid into the
/// Settlement escrow, which records each in its block.
contract MarketAndModelsTest is Test {
    bytes32 internal constant QUERY = keccak256("query");

    OpenToken internal token;
    ProtocolParams internal params;
    DatanetRegistry internal datanets;
    ModelRegistry internal models;
    Settlement internal s;
    InferenceMarket internal market;
    address internal gov;
    address internal alice;
    address internal bob;
    uint256 internal net;
    uint256 internal model;

    function setUp() public {
        vm.roll(100);
        gov = actor("timelock");
        alice = actor("alice");
        bob = actor("bob");
        token = new OpenToken(address(this), 1e27);
        params = new ProtocolParams(gov, Fixtures.params(), Fixtures.MIN_FEE, Fixtures.MIN_STAKE);
        datanets = new DatanetRegistry(gov, token, gov, 10, IMinContributionStake(address(params)), 10);
        models = new ModelRegistry(IDatanetExists(address(datanets)));
        s = new Settlement(gov, token, gov, 10, 0, 0);
        market = new InferenceMarket(token, IModelExists(address(models)), address(s), IMinInferenceFee(address(params)));
        bytes32 marketRole = s.MARKET_ROLE();
        vm.prank(gov);
        s.grantRole(marketRole, address(market));
        net = datanets.createDatanet("net", Fixtures.MIN_STAKE);
        vm.prank(bob);
        model = models.registerModel(ids(net), ModelRegistry.AttributionMethod.EMBEDDING, "m");
        token.transfer(alice, 100 ether);
        vm.prank(alice);
        token.approve(address(market), type(uint256).max);
    }

    function ids(uint256 a) internal pure returns (uint256[] memory x) {
        x = new uint256[](1);
        x[0] = a;
    }

    // --- ModelRegistry ---

    function test_registerModel_storesAndCaps() public {
        ModelRegistry.Model memory m = models.model(model);
        assertEq(m.owner, bob, "owner");
        assertTrue(m.method == ModelRegistry.AttributionMethod.EMBEDDING, "method");
        assertEq(m.datanetIds.length, 1, "datanets");
        assertTrue(models.exists(model) && !models.exists(model + 1), "exists");
        vm.expectRevert(ModelRegistry.NoDatanets.selector);
        models.registerModel(new uint256[](0), ModelRegistry.AttributionMethod.SPAN, "m");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownDatanet.selector, 2));
        models.registerModel(ids(2), ModelRegistry.AttributionMethod.SPAN, "m");
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "name", MAX_NAME_BYTES + 1, MAX_NAME_BYTES));
        models.registerModel(ids(net), ModelRegistry.AttributionMethod.SPAN, Fixtures.str(MAX_NAME_BYTES + 1));
        uint256[] memory twice = new uint256[](2);
        (twice[0], twice[1]) = (net, net);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DuplicateDatanet.selector, net));
        models.registerModel(twice, ModelRegistry.AttributionMethod.SPAN, "m");
    }

    function test_registerModel_upTo64Datanets() public {
        uint256[] memory many = new uint256[](MAX_MODEL_DATANETS + 1);
        many[0] = net;
        for (uint256 i = 1; i <= MAX_MODEL_DATANETS; i++) many[i] = datanets.createDatanet("n", Fixtures.MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(TooMany.selector, "datanetIds", MAX_MODEL_DATANETS + 1, MAX_MODEL_DATANETS)
        );
        models.registerModel(many, ModelRegistry.AttributionMethod.PRECOMPUTED, "m");
        assembly {
            mstore(many, 64) // the first 64
        }
        uint256 id = models.registerModel(many, ModelRegistry.AttributionMethod.PRECOMPUTED, Fixtures.str(MAX_NAME_BYTES));
        assertEq(models.model(id).datanetIds.length, MAX_MODEL_DATANETS, "64 Datanets");
    }

    function test_registerModel_keepsItsEncoder_emptyForTheDefault() public {
        assertEq(models.model(model).encoder, "", "the 3-argument form: the pipeline's default");
        vm.prank(bob);
        uint256 id = models.registerModel(ids(net), ModelRegistry.AttributionMethod.EMBEDDING, "m", "minilm-l6-v2");
        assertEq(models.model(id).encoder, "minilm-l6-v2", "encoder");
        assertEq(models.model(id).owner, bob, "owner");
        id = models.registerModel(ids(net), ModelRegistry.AttributionMethod.SPAN, "m", Fixtures.str(MAX_ENCODER_BYTES));
        assertEq(bytes(models.model(id).encoder).length, MAX_ENCODER_BYTES, "64 bytes");
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "encoder", MAX_ENCODER_BYTES + 1, MAX_ENCODER_BYTES));
        models.registerModel(ids(net), ModelRegistry.AttributionMethod.SPAN, "m", Fixtures.str(MAX_ENCODER_BYTES + 1));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.BadEncoder.selector, "MiniLM"));
        models.registerModel(ids(net), ModelRegistry.AttributionMethod.EMBEDDING, "m", "MiniLM");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.BadEncoder.selector, "../etc"));
        models.registerModel(ids(net), ModelRegistry.AttributionMethod.EMBEDDING, "m", "../etc");
    }

    /// Any byte string is taken exactly when it is [a-z0-9.-]*, stored and logged unchanged.
    function testFuzz_registerModel_encoderCharset(bytes memory raw) public {
        vm.assume(raw.length <= MAX_ENCODER_BYTES);
        bool ok = true;
        for (uint256 i = 0; i < raw.length; i++) {
            bytes1 c = raw[i];
            ok = ok && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "." || c == "-");
        }
        if (!ok) vm.expectRevert(abi.encodeWithSelector(ModelRegistry.BadEncoder.selector, string(raw)));
        uint256 id = models.registerModel(ids(net), ModelRegistry.AttributionMethod.EMBEDDING, "m", string(raw));
        if (ok) assertEq(bytes(models.model(id).encoder), raw, "stored unchanged");
    }

    function test_transferModel_onlyOwner_neverToZero() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, 9));
        models.transferModel(9, alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, alice, model));
        vm.prank(alice);
        models.transferModel(model, alice);
        vm.expectRevert(abi.encodeWithSelector(ZeroAddress.selector, "newOwner"));
        vm.prank(bob);
        models.transferModel(model, address(0));
        vm.prank(bob);
        models.transferModel(model, alice);
        assertEq(models.model(model).owner, alice, "new owner");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, bob, model));
        vm.prank(bob);
        models.transferModel(model, bob);
    }

    // --- InferenceMarket ---

    function test_pay_movesFeeIntoEscrowAndRecordsIt() public {
        vm.prank(alice);
        uint256 id = market.payForInference(model, 2e15, QUERY, "https://q");
        assertEq(id, 1, "first inference");
        assertEq(market.inferenceCount(), 1, "count");
        assertEq(token.balanceOf(address(s)), 2e15, "fee in the escrow");
        assertEq(token.balanceOf(address(market)), 0, "none left in the market");
        assertEq(s.escrowed(), 2e15, "escrowed");
        assertEq(s.feesThrough(100), 2e15, "recorded in its block");
        assertEq(s.feesThrough(99), 0, "not before");
    }

    function test_pay_checks() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(InferenceMarket.UnknownModel.selector, 5));
        market.payForInference(5, 2e15, QUERY, "q");
        vm.expectRevert(InferenceMarket.ZeroFee.selector);
        market.payForInference(model, 0, QUERY, "q");
        vm.expectRevert(abi.encodeWithSelector(InferenceMarket.FeeBelowMinimum.selector, 1e15 - 1, 1e15));
        market.payForInference(model, 1e15 - 1, QUERY, "q");
        vm.expectRevert(InferenceMarket.InvalidQuery.selector);
        market.payForInference(model, 1e15, bytes32(0), "q");
        vm.expectRevert(InferenceMarket.InvalidQuery.selector);
        market.payForInference(model, 1e15, QUERY, "");
        vm.expectRevert(abi.encodeWithSelector(TooLong.selector, "queryUri", MAX_URI_BYTES + 1, MAX_URI_BYTES));
        market.payForInference(model, 1e15, QUERY, Fixtures.str(MAX_URI_BYTES + 1));
        market.payForInference(model, 1e15, QUERY, Fixtures.str(MAX_URI_BYTES));
        vm.stopPrank();
        vm.expectRevert( // bob approved nothing
            abi.encodeWithSignature("ERC20InsufficientAllowance(address,uint256,uint256)", address(market), 0, 1e15)
        );
        vm.prank(bob);
        market.payForInference(model, 1e15, QUERY, "q");
    }

    function test_pay_minimumFollowsGovernance() public {
        vm.prank(gov);
        params.setMinimums(5e15, Fixtures.MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(InferenceMarket.FeeBelowMinimum.selector, 2e15, 5e15));
        vm.prank(alice);
        market.payForInference(model, 2e15, QUERY, "q");
    }

    function test_pay_marketWithoutRoleCannotRecord() public {
        InferenceMarket rogue =
            new InferenceMarket(token, IModelExists(address(models)), address(s), IMinInferenceFee(address(params)));
        vm.prank(alice);
        token.approve(address(rogue), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", address(rogue), s.MARKET_ROLE())
        );
        vm.prank(alice);
        rogue.payForInference(model, 1e15, QUERY, "q");
    }

    /// Any fee at or above the minimum lands in the escrow exactly, one record per block.
    function testFuzz_pay_anyFeeEscrowedExactly(uint256 f1, uint256 f2) public {
        f1 = bound(f1, Fixtures.MIN_FEE, 40 ether);
        f2 = bound(f2, Fixtures.MIN_FEE, 40 ether);
        vm.startPrank(alice);
        market.payForInference(model, f1, QUERY, "q");
        vm.roll(101);
        market.payForInference(model, f2, QUERY, "q");
        vm.stopPrank();
        assertEq(s.feesThrough(100), f1, "block 100");
        assertEq(s.escrowed(), f1 + f2, "escrowed");
        assertEq(token.balanceOf(address(s)), f1 + f2, "balance");
        assertEq(token.balanceOf(alice), 100 ether - f1 - f2, "payer");
    }
}
