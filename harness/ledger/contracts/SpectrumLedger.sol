// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title SpectrumLedger: ledger-decided sharing of one unlicensed band among operators that do
/// not trust each other (seeds/004 II.D and III; seeds/001 for the records and the lock-out).
///
/// Units: token amounts are LabToken micro-tokens (1 token = 1e6; one token buys one spectrum
/// unit, 180 kHz, for one second); spectrum is counted in units (bandUnits = W); price is
/// micro-tokens per unit per second; epochMs is milliseconds.
///
/// Rules no operator can bend:
/// - The epoch length is fixed at deployment. Epochs are sequence numbers the contract advances:
///   `currentEpoch` is the one whose request window is open.
/// - The window opens with the epoch's first request and closes once every operator has
///   requested, or `requestWindowBlocks` blocks later (blocks, not chain time: a dev chain's clock
///   has one-second resolution), so no one operator can stall the epoch.
/// - decide(e) is accepted only once e's window is closed, from anyone. It grants by
///   balance-weighted water-filling, lays the grants side by side from unit 0 in operator
///   order, and escrows each grant's cost (units x price x epoch length) from the grantee.
/// - settle(e) by the operator reports measured use (never above the grant) and the digest of the
///   measurements behind it: the used part's cost plus a holding charge on the unused part go
///   to the other operators in equal shares, the rest of the escrow back to the operator.
/// - After `settleWindowBlocks` blocks from the decision, anyone may settle an operator's epoch
///   at its full grant. Settling an undecided or future epoch reverts.
/// - Optional fairness lock-out: an operator granted more than `fairMaxShareBps` of the band
///   over the last `fairWindowEpochs` epochs gets no grant for the next `lockoutEpochs` epochs.
/// Tokens move only by transfer, so the LabToken supply is conserved exactly.
contract SpectrumLedger {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_OPERATORS = 64;
    uint256 private constant BPS = 10_000;

    struct Params {
        uint256 bandUnits;
        uint256 price;
        uint256 epochMs;
        uint256 requestWindowBlocks;
        uint256 settleWindowBlocks;
        uint256 holdingBps;
        uint256 fairWindowEpochs;
        uint256 fairMaxShareBps;
        uint256 lockoutEpochs;
    }

    error NotOperator(address account);
    error TooFewOperators(uint256 count);
    error TooManyOperators(uint256 count);
    error ZeroAddressOperator();
    error DuplicateOperator(address operator);
    error BadParameter(string name);
    error EpochNotOpen(uint256 epoch, uint256 current);
    error WindowOpen(uint256 epoch, uint256 closesAtBlock);
    error UnitsExceedBand(uint256 units, uint256 bandUnits);
    error EpochNotDecided(uint256 epoch);
    error AlreadySettled(uint256 epoch, address operator);
    error UseExceedsGrant(uint256 epoch, uint256 usedUnits, uint256 grantUnits);
    error SettlementOverdue(uint256 epoch, uint256 deadlineBlock);
    error SettlementNotDue(uint256 epoch, uint256 deadlineBlock);

    event Requested(uint256 indexed epoch, address indexed operator, uint256 units);
    /// The allocation record (seeds/001): the operator's segment of the band, in units from the low edge.
    event Granted(uint256 indexed epoch, address indexed operator, uint256 startUnit, uint256 units, uint256 escrow);
    event Decided(uint256 indexed epoch, uint256 totalUnits, address by);
    /// The access record: measured use, the digest of the measurements behind it, what moved.
    event Settled(
        uint256 indexed epoch, address indexed operator, uint256 usedUnits, bytes32 measurements, uint256 spent, uint256 holding, uint256 refund, bool overdue
    );
    event LockedOut(uint256 indexed epoch, address indexed operator, uint256 untilEpoch);

    IERC20 public immutable token;
    uint256 public immutable bandUnits;
    uint256 public immutable price;
    uint256 public immutable epochMs;
    uint256 public immutable requestWindowBlocks;
    uint256 public immutable settleWindowBlocks;
    uint256 public immutable holdingBps;
    uint256 public immutable fairWindowEpochs;
    uint256 public immutable fairMaxShareBps;
    uint256 public immutable lockoutEpochs;

    address[] private _operators;
    mapping(address => uint256) private _slot; // index + 1

    /// The epoch whose request window is open.
    uint256 public currentEpoch = 1;
    mapping(uint256 => uint256) public openedAtBlock;
    mapping(uint256 => uint256) public decidedAtBlock; // 0: not decided
    mapping(uint256 => uint256) public requestCount;
    mapping(uint256 => mapping(address => uint256)) private _requestPlusOne;
    /// One storage slot per grant: the segment and its escrow.
    struct GrantRecord {
        uint64 startUnit;
        uint64 units;
        uint128 escrow;
    }
    mapping(uint256 => mapping(address => GrantRecord)) private _grants;
    mapping(uint256 => mapping(address => bool)) public settled;
    /// Last epoch of an operator's lock-out (0: never locked out).
    mapping(address => uint256) public lockedUntil;

    modifier onlyOperator() {
        if (_slot[msg.sender] == 0) revert NotOperator(msg.sender);
        _;
    }

    constructor(IERC20 token_, address[] memory operators_, Params memory p) {
        uint256 n = operators_.length;
        if (n < 2) revert TooFewOperators(n);
        if (n > MAX_OPERATORS) revert TooManyOperators(n);
        if (address(token_) == address(0)) revert BadParameter("token");
        if (p.bandUnits == 0 || p.bandUnits > type(uint64).max) revert BadParameter("bandUnits");
        if (token_.totalSupply() > type(uint128).max) revert BadParameter("token supply");
        if (p.price == 0) revert BadParameter("price");
        if (p.epochMs == 0) revert BadParameter("epochMs");
        if (p.requestWindowBlocks == 0) revert BadParameter("requestWindowBlocks");
        if (p.settleWindowBlocks == 0) revert BadParameter("settleWindowBlocks");
        if (p.holdingBps > BPS) revert BadParameter("holdingBps");
        if (p.fairWindowEpochs > 0 && (p.fairMaxShareBps == 0 || p.fairMaxShareBps > BPS || p.lockoutEpochs == 0))
            revert BadParameter("fairness");
        token = token_;
        bandUnits = p.bandUnits;
        price = p.price;
        epochMs = p.epochMs;
        requestWindowBlocks = p.requestWindowBlocks;
        settleWindowBlocks = p.settleWindowBlocks;
        holdingBps = p.holdingBps;
        fairWindowEpochs = p.fairWindowEpochs;
        fairMaxShareBps = p.fairMaxShareBps;
        lockoutEpochs = p.lockoutEpochs;
        for (uint256 i = 0; i < n; i++) {
            address op = operators_[i];
            if (op == address(0)) revert ZeroAddressOperator();
            if (_slot[op] != 0) revert DuplicateOperator(op);
            _slot[op] = i + 1;
            _operators.push(op);
        }
    }

    // ------------------------------------------------------------------ views

    function operators() external view returns (address[] memory) {
        return _operators;
    }

    function isOperator(address account) external view returns (bool) {
        return _slot[account] != 0;
    }

    /// The account's LabToken balance (micro-tokens).
    function balanceOf(address account) external view returns (uint256) {
        return token.balanceOf(account);
    }

    /// The LabToken's fixed supply (micro-tokens).
    function totalSupply() external view returns (uint256) {
        return token.totalSupply();
    }

    /// Tokens held in escrow for decided, unsettled grants.
    function escrowed() external view returns (uint256) {
        return token.balanceOf(address(this));
    }

    function decided(uint256 epoch) public view returns (bool) {
        return decidedAtBlock[epoch] != 0;
    }

    function grantOf(uint256 epoch, address operator) external view returns (uint256) {
        return _grants[epoch][operator].units;
    }

    function segmentOf(uint256 epoch, address operator) external view returns (uint256 startUnit, uint256 units) {
        GrantRecord memory g = _grants[epoch][operator];
        return (g.startUnit, g.units);
    }

    function requestOf(uint256 epoch, address operator) external view returns (uint256) {
        uint256 r = _requestPlusOne[epoch][operator];
        return r == 0 ? 0 : r - 1;
    }

    /// The block from which decide(epoch) is accepted even if not everyone requested (0: no request yet).
    function windowClosesAtBlock(uint256 epoch) public view returns (uint256) {
        uint256 opened = openedAtBlock[epoch];
        return opened == 0 ? 0 : opened + requestWindowBlocks;
    }

    /// Closed once every operator has requested, or requestWindowBlocks after the first request.
    function windowClosed(uint256 epoch) public view returns (bool) {
        uint256 closes = windowClosesAtBlock(epoch);
        return requestCount[epoch] == _operators.length || (closes != 0 && block.number >= closes);
    }

    /// The last block at which the operator may settle its own use of the epoch.
    function settleDeadlineBlock(uint256 epoch) public view returns (uint256) {
        return decidedAtBlock[epoch] + settleWindowBlocks;
    }

    // ------------------------------------------------------------- transactions

    /// Requests units of the open epoch as msg.sender; a later request in the window overwrites.
    function request(uint256 epoch, uint256 units) external onlyOperator {
        if (epoch != currentEpoch) revert EpochNotOpen(epoch, currentEpoch);
        if (windowClosed(epoch)) revert EpochNotOpen(epoch, currentEpoch);
        if (units > bandUnits) revert UnitsExceedBand(units, bandUnits);
        if (openedAtBlock[epoch] == 0) openedAtBlock[epoch] = block.number;
        if (_requestPlusOne[epoch][msg.sender] == 0) requestCount[epoch] += 1;
        _requestPlusOne[epoch][msg.sender] = units + 1;
        emit Requested(epoch, msg.sender, units);
    }

    /// Decides the open epoch once its window is closed; anyone may call it.
    function decide(uint256 epoch) external {
        if (epoch != currentEpoch) revert EpochNotOpen(epoch, currentEpoch);
        if (!windowClosed(epoch)) revert WindowOpen(epoch, windowClosesAtBlock(epoch));
        uint256 n = _operators.length;
        uint256 unitCost = price * epochMs; // micro-tokens x ms per unit; / 1000 per unit-epoch
        uint256[] memory bal = new uint256[](n);
        uint256[] memory cap = new uint256[](n);
        for (uint256 k = 0; k < n; k++) {
            address op = _operators[k];
            uint256 b = token.balanceOf(op);
            uint256 a = token.allowance(op, address(this));
            bal[k] = a < b ? a : b; // what the contract can actually escrow
            uint256 req = _requestPlusOne[epoch][op];
            req = req == 0 ? 0 : req - 1;
            uint256 affordable = (bal[k] * 1000) / unitCost;
            cap[k] = lockedUntil[op] >= epoch ? 0 : (req < affordable ? req : affordable);
        }
        uint256[] memory grant = _waterFill(bal, cap);

        uint256 start = 0;
        for (uint256 k = 0; k < n; k++) {
            address op = _operators[k];
            uint256 g = grant[k];
            uint256 escrow = (g * unitCost) / 1000;
            // Fits: start + g <= bandUnits, and escrow <= the grantee's balance <= the token supply.
            _grants[epoch][op] = GrantRecord(uint64(start), uint64(g), uint128(escrow));
            if (escrow > 0) token.safeTransferFrom(op, address(this), escrow);
            emit Granted(epoch, op, start, g, escrow);
            start += g;
        }
        decidedAtBlock[epoch] = block.number;
        currentEpoch = epoch + 1;
        emit Decided(epoch, start, msg.sender);
        if (fairWindowEpochs > 0) _lockOut(epoch);
    }

    /// The operator's own settlement: measured use (<= grant) and the digest of its measurements.
    function settle(uint256 epoch, uint256 usedUnits, bytes32 measurements) external onlyOperator {
        _checkSettleable(epoch, msg.sender);
        uint256 deadline = settleDeadlineBlock(epoch);
        if (block.number > deadline) revert SettlementOverdue(epoch, deadline);
        uint256 g = _grants[epoch][msg.sender].units;
        if (usedUnits > g) revert UseExceedsGrant(epoch, usedUnits, g);
        _pay(epoch, msg.sender, usedUnits, measurements, false);
    }

    /// After the deadline anyone settles an operator's epoch at its full grant.
    function settleOverdue(uint256 epoch, address operator) external {
        if (_slot[operator] == 0) revert NotOperator(operator);
        _checkSettleable(epoch, operator);
        uint256 deadline = settleDeadlineBlock(epoch);
        if (block.number <= deadline) revert SettlementNotDue(epoch, deadline);
        _pay(epoch, operator, _grants[epoch][operator].units, bytes32(0), true);
    }

    // ------------------------------------------------------------------ internals

    function _checkSettleable(uint256 epoch, address operator) private view {
        if (decidedAtBlock[epoch] == 0) revert EpochNotDecided(epoch);
        if (settled[epoch][operator]) revert AlreadySettled(epoch, operator);
    }

    function _pay(uint256 epoch, address operator, uint256 usedUnits, bytes32 measurements, bool overdue) private {
        settled[epoch][operator] = true;
        GrantRecord memory r = _grants[epoch][operator];
        uint256 escrow = r.escrow;
        uint256 g = r.units;
        // Spent: the used share of the escrow (exactly escrow when all of the grant was used).
        uint256 spent = g == 0 ? 0 : (escrow * usedUnits) / g;
        uint256 holding = ((escrow - spent) * holdingBps) / BPS;
        uint256 refund = escrow - spent - holding;
        if (refund > 0) token.safeTransfer(operator, refund);
        _share(epoch, operator, spent + holding);
        emit Settled(epoch, operator, usedUnits, measurements, spent, holding, refund, overdue);
    }

    /// Shares `amount` equally among the operators other than `payer`; the remainder goes one
    /// micro-token each to consecutive others from a position that rotates with the epoch.
    function _share(uint256 epoch, address payer, uint256 amount) private {
        if (amount == 0) return;
        uint256 n = _operators.length;
        uint256 self = _slot[payer] - 1;
        uint256 others = n - 1;
        uint256 each = amount / others;
        uint256 extra = amount % others;
        uint256 first = epoch % others;
        uint256 j = 0;
        for (uint256 i = 0; i < n; i++) {
            if (i == self) continue;
            uint256 x = each + ((j + others - first) % others < extra ? 1 : 0);
            if (x > 0) token.safeTransfer(_operators[i], x);
            j++;
        }
    }

    /// Balance-weighted water-filling (test/helpers/ledger-model.ts states it again for the tests): an
    /// operator whose cap fits within its share of what remains gets its cap and leaves; when no
    /// cap fits, each active operator gets the floor of its share and the leftover units go one
    /// each by largest remainder (ties: lower index). Never more than the band or a cap.
    function _waterFill(uint256[] memory bal, uint256[] memory cap) private view returns (uint256[] memory grant) {
        uint256 n = bal.length;
        grant = new uint256[](n);
        bool[] memory active = new bool[](n);
        for (uint256 k = 0; k < n; k++) active[k] = cap[k] > 0;
        uint256 remaining = bandUnits;
        while (remaining > 0) {
            uint256 sumBal = 0;
            uint256 count = 0;
            for (uint256 k = 0; k < n; k++) if (active[k]) (sumBal += bal[k], count++);
            if (count == 0) break;
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
            uint256[] memory rem = new uint256[](n);
            uint256 given = 0;
            for (uint256 k = 0; k < n; k++) {
                if (!active[k]) continue;
                grant[k] = (remaining * bal[k]) / sumBal;
                rem[k] = (remaining * bal[k]) % sumBal;
                given += grant[k];
            }
            for (uint256 left = remaining - given; left > 0; left--) {
                uint256 best = n;
                for (uint256 k = 0; k < n; k++) if (active[k] && (best == n || rem[k] > rem[best])) best = k;
                grant[best] += 1;
                active[best] = false;
            }
            remaining = 0;
        }
    }

    /// Locks out every operator whose grants over the last fairWindowEpochs epochs exceed
    /// fairMaxShareBps of the band over that window.
    function _lockOut(uint256 epoch) private {
        uint256 first = epoch >= fairWindowEpochs ? epoch - fairWindowEpochs + 1 : 1;
        uint256 limit = fairWindowEpochs * bandUnits * fairMaxShareBps;
        for (uint256 k = 0; k < _operators.length; k++) {
            address op = _operators[k];
            if (lockedUntil[op] >= epoch) continue;
            uint256 total = 0;
            for (uint256 e = first; e <= epoch; e++) total += _grants[e][op].units;
            if (total * BPS > limit) {
                lockedUntil[op] = epoch + lockoutEpochs;
                emit LockedOut(epoch, op, epoch + lockoutEpochs);
            }
        }
    }
}
