// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TestMulticall
/// @notice The `aggregate3` call of Multicall3, which Ethereum, Polygon, Base, Arbitrum and BNB
/// Chain all have at 0xcA11bde05977b3631167028862bE2a173976CA11, for devnets that lack it: runs the
/// calls in order; a call allowed to fail reports its failure in its result instead of reverting
/// the whole batch.
contract TestMulticall {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 index = 0; index < calls.length; index++) {
            Call3 calldata call = calls[index];
            (bool success, bytes memory returnData) = call.target.call(call.callData);
            require(success || call.allowFailure, "TestMulticall: call failed");
            results[index] = Result(success, returnData);
        }
    }
}
