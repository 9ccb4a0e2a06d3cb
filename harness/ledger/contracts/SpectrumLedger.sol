// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SpectrumLedger: ledger-decided sharing of one unlicensed band (seeds/004, II.D and III).
///
/// Units, everywhere in this contract:
/// - Tokens are fixed point MICRO-TOKENS: 1 token = 1e6 units of every balance, supply and cost.
///   A token is worth one spectrum unit (180 kHz, one LTE resource block) for one second.
/// - Spectrum is counted in spectrum units (bandUnits = W / 180 kHz, rounded down).
/// - price is in micro-tokens per spectrum unit per second.
/// - Durations (epochMs, usedMs) are in milliseconds.
///
/// The token game:
/// 1. The supply is split equally among the operators (any remainder of the integer division
///    goes one micro-token each to the first operators, so the balances sum to the supply).
/// 2. Each epoch, operators request spectrum units; decide() grants them on chain by
///    balance-weighted water-filling of the band, capped by what each operator can pay.
/// 3. Each operator settles its measured use: cost = usedUnits * price * usedMs / 1000
///    (capped at its balance); the spent tokens are shared equally among all OTHER operators.
///    Total supply is conserved exactly.
contract SpectrumLedger {
    /// One token in micro-tokens.
    uint256 public constant MICRO = 1_000_000;
    /// Bound on the operator set, so decide() stays cheap (it is O(n^2)).
    uint256 public constant MAX_OPERATORS = 64;

    error NotOperator(address account);
    error AlreadyDecided(uint256 epoch);
    error AlreadySettled(uint256 epoch, address operator);
    error TooFewOperators(uint256 count);
    error TooManyOperators(uint256 count);
    error ZeroAddressOperator();
    error DuplicateOperator(address operator);
    error ZeroBand();
    error ZeroPrice();
    error ZeroEpochDuration();
    error UnitsExceedBand(uint256 units, uint256 bandUnits);

    event Requested(uint256 indexed epoch, address indexed operator, uint256 units);
    event Granted(uint256 indexed epoch, address indexed operator, uint256 units);
    event Decided(uint256 indexed epoch, uint256 totalUnits);
    event Settled(uint256 indexed epoch, address indexed operator, uint256 usedUnits, uint256 usedMs, uint256 cost);

    /// W, the shared band, in spectrum units (180 kHz each).
    uint256 public immutable bandUnits;
    /// Micro-tokens per spectrum unit per second.
    uint256 public immutable price;
    /// Total supply in micro-tokens; conserved by every operation.
    uint256 public immutable totalSupply;

    address[] private _operators;
    /// operator => index + 1 (0: not an operator).
    mapping(address => uint256) private _slot;
    mapping(address => uint256) private _balances;
    mapping(uint256 => mapping(address => uint256)) private _requests;
    mapping(uint256 => mapping(address => uint256)) private _grants;

    /// Whether the epoch has been decided by this contract.
    mapping(uint256 => bool) public decided;
    /// Whether the operator has settled its use for the epoch.
    mapping(uint256 => mapping(address => bool)) public settled;

    modifier onlyOperator() {
        if (_slot[msg.sender] == 0) revert NotOperator(msg.sender);
        _;
    }

    /// @param operators_ the operators' accounts, in a fixed order (index order breaks ties).
    /// @param bandUnits_ W in spectrum units (180 kHz each).
    /// @param supplyMicro the total supply in micro-tokens.
    /// @param priceMicroPerUnitSecond micro-tokens per spectrum unit per second.
    constructor(address[] memory operators_, uint256 bandUnits_, uint256 supplyMicro, uint256 priceMicroPerUnitSecond) {
        uint256 n = operators_.length;
        if (n < 2) revert TooFewOperators(n);
        if (n > MAX_OPERATORS) revert TooManyOperators(n);
        if (bandUnits_ == 0) revert ZeroBand();
        if (priceMicroPerUnitSecond == 0) revert ZeroPrice();
        bandUnits = bandUnits_;
        price = priceMicroPerUnitSecond;
        totalSupply = supplyMicro;
        uint256 each = supplyMicro / n;
        uint256 extra = supplyMicro % n;
        for (uint256 i = 0; i < n; i++) {
            address op = operators_[i];
            if (op == address(0)) revert ZeroAddressOperator();
            if (_slot[op] != 0) revert DuplicateOperator(op);
            _slot[op] = i + 1;
            _operators.push(op);
            _balances[op] = each + (i < extra ? 1 : 0);
        }
    }

    // ------------------------------------------------------------------ views

    function operators() external view returns (address[] memory) {
        return _operators;
    }

    function isOperator(address account) external view returns (bool) {
        return _slot[account] != 0;
    }

    /// Balance in micro-tokens (0 for a non-operator).
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// The units granted to the operator in the epoch (0 before the epoch is decided).
    function grantOf(uint256 epoch, address operator) external view returns (uint256) {
        return _grants[epoch][operator];
    }

    /// The units the operator requested for the epoch (0 if none).
    function requestOf(uint256 epoch, address operator) external view returns (uint256) {
        return _requests[epoch][operator];
    }

    // ------------------------------------------------------------- transactions

    /// Request spectrum units for an epoch, as the operator (msg.sender) itself. A later request
    /// for the same epoch overwrites the earlier one until the epoch is decided.
    function request(uint256 epoch, uint256 units) external onlyOperator {
        if (decided[epoch]) revert AlreadyDecided(epoch);
        if (units > bandUnits) revert UnitsExceedBand(units, bandUnits);
        _requests[epoch][msg.sender] = units;
        emit Requested(epoch, msg.sender, units);
    }

    /// Decide the epoch's grants, once, from the requests and the current balances.
    /// cap_k = min(request_k, affordable_k), affordable_k = floor(balance_k * 1000 / (price * epochMs)).
    /// The band is water-filled in proportion to balances among operators with cap_k > 0: an
    /// operator whose cap fits within its proportional share gets its cap and leaves, and the
    /// rest is shared again; when every remaining cap exceeds its share, each gets the floor of
    /// its share and the leftover units go one each by largest remainder (ties: lower index).
    /// The total never exceeds bandUnits, and no grant exceeds its cap.
    function decide(uint256 epoch, uint256 epochMs) external onlyOperator {
        if (decided[epoch]) revert AlreadyDecided(epoch);
        if (epochMs == 0) revert ZeroEpochDuration();
        decided[epoch] = true;

        uint256 n = _operators.length;
        uint256[] memory bal = new uint256[](n);
        uint256[] memory cap = new uint256[](n);
        uint256[] memory grant = new uint256[](n);
        bool[] memory active = new bool[](n);
        uint256 costPerUnitEpoch = price * epochMs; // micro-tokens * ms, divided by 1000 below
        for (uint256 k = 0; k < n; k++) {
            address op = _operators[k];
            bal[k] = _balances[op];
            uint256 affordable = (bal[k] * 1000) / costPerUnitEpoch;
            uint256 req = _requests[epoch][op];
            cap[k] = req < affordable ? req : affordable;
            active[k] = cap[k] > 0;
        }

        uint256 remaining = bandUnits;
        while (remaining > 0) {
            uint256 sumBal = 0;
            uint256 count = 0;
            for (uint256 k = 0; k < n; k++) {
                if (active[k]) {
                    sumBal += bal[k];
                    count++;
                }
            }
            if (count == 0) break;

            // Everyone whose cap fits within its share (against this round's snapshot) leaves.
            uint256 taken = 0;
            bool removed = false;
            for (uint256 k = 0; k < n; k++) {
                if (active[k] && cap[k] * sumBal <= remaining * bal[k]) {
                    grant[k] = cap[k];
                    taken += cap[k];
                    active[k] = false;
                    removed = true;
                }
            }
            if (removed) {
                remaining -= taken;
                continue;
            }

            // Every remaining cap exceeds its share: floor shares, then largest remainder.
            uint256[] memory rem = new uint256[](n);
            uint256 given = 0;
            for (uint256 k = 0; k < n; k++) {
                if (active[k]) {
                    grant[k] = (remaining * bal[k]) / sumBal;
                    rem[k] = (remaining * bal[k]) % sumBal;
                    given += grant[k];
                }
            }
            uint256 left = remaining - given;
            while (left > 0) {
                uint256 best = n;
                for (uint256 k = 0; k < n; k++) {
                    if (active[k] && (best == n || rem[k] > rem[best])) best = k;
                }
                grant[best] += 1;
                active[best] = false; // one extra unit each at most
                left--;
            }
            remaining = 0;
        }

        uint256 total = 0;
        for (uint256 k = 0; k < n; k++) {
            address op = _operators[k];
            _grants[epoch][op] = grant[k];
            total += grant[k];
            emit Granted(epoch, op, grant[k]);
        }
        emit Decided(epoch, total);
    }

    /// Settle the operator's own measured use in an epoch, once. Works whether or not the epoch
    /// was decided here (baseline policies settle too). The cost, capped at the balance, is
    /// shared equally among all other operators; the integer remainder goes one micro-token
    /// each to the others in index order, starting at a position that rotates with the epoch.
    function settle(uint256 epoch, uint256 usedUnits, uint256 usedMs) external onlyOperator {
        if (settled[epoch][msg.sender]) revert AlreadySettled(epoch, msg.sender);
        if (usedUnits > bandUnits) revert UnitsExceedBand(usedUnits, bandUnits);
        settled[epoch][msg.sender] = true;

        uint256 cost = (usedUnits * price * usedMs) / 1000;
        uint256 balance = _balances[msg.sender];
        if (cost > balance) cost = balance;
        _balances[msg.sender] = balance - cost;

        uint256 n = _operators.length;
        uint256 self = _slot[msg.sender] - 1;
        uint256 others = n - 1;
        uint256 share = cost / others;
        uint256 extra = cost % others;
        uint256 start = epoch % others;
        uint256 j = 0; // position among the others, in index order
        for (uint256 i = 0; i < n; i++) {
            if (i == self) continue;
            uint256 amount = share;
            if ((j + others - start) % others < extra) amount += 1;
            _balances[_operators[i]] += amount;
            j++;
        }
        emit Settled(epoch, msg.sender, usedUnits, usedMs, cost);
    }
}
