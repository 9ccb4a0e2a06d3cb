// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title LabToken: the one token of a ranlab lab (seeds/004: one token is one 180 kHz unit for
/// one second). OpenZeppelin's ERC20 with the whole supply minted once, at deployment, to
/// `holder`; there is no mint or burn after that, so the supply is fixed. Amounts are
/// micro-tokens (6 decimals). Operators, UEs and edge owners hold it; every market (spectrum,
/// UE, compute) moves it with ordinary transfers, so supply is conserved across all of them.
contract LabToken is ERC20 {
    constructor(uint256 supplyMicro, address holder) ERC20("ranlab token", "RLT") {
        _mint(holder, supplyMicro);
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
