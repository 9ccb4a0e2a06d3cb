// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title UeMarket: the user <-> MVNO contract of seeds/004 (contract type 1). A UE posts a
/// request with a QoS target (minimum downlink throughput, kbit/s); operators offer a price
/// (micro-tokens per Mbit) and the throughput they can give it; once every operator has offered,
/// or offerWindowBlocks after the request, anyone may award it: the lowest price among the offers
/// that meet the target wins (ties: the lower operator index). The UE then pays the winner for
/// its measured use, once per epoch, in LabToken (the same token as the spectrum game).
contract UeMarket {
    using SafeERC20 for IERC20;

    error NotOperator(address account);
    error NotRequester(uint256 id, address account);
    error UnknownRequest(uint256 id);
    error AlreadyAwarded(uint256 id);
    error NotAwarded(uint256 id);
    error OffersOpen(uint256 id, uint256 closesAtBlock);
    error AlreadyPaid(uint256 id, uint256 epoch);
    error BadParameter(string name);

    event Posted(uint256 indexed id, address indexed ue, uint256 minKbps);
    event Offered(uint256 indexed id, address indexed operator, uint256 priceMicroPerMbit, uint256 kbps);
    /// winner is address(0) when no offer meets the target.
    event Awarded(uint256 indexed id, address indexed ue, address indexed winner, uint256 priceMicroPerMbit);
    event Paid(uint256 indexed id, uint256 indexed epoch, address indexed winner, uint256 kbit, uint256 amount);

    struct Request {
        address ue;
        uint64 minKbps;
        uint64 postedAtBlock;
        uint32 offers;
        bool awarded;
        address winner;
        uint256 price;
    }

    IERC20 public immutable token;
    uint256 public immutable offerWindowBlocks;
    address[] private _operators;
    mapping(address => uint256) private _slot; // index + 1
    Request[] private _requests;
    mapping(uint256 => mapping(address => uint256)) private _offerPricePlusOne;
    mapping(uint256 => mapping(address => uint256)) private _offerKbps;
    mapping(uint256 => mapping(uint256 => bool)) public paid;

    constructor(IERC20 token_, address[] memory operators_, uint256 offerWindowBlocks_) {
        if (address(token_) == address(0)) revert BadParameter("token");
        if (operators_.length == 0) revert BadParameter("operators");
        if (offerWindowBlocks_ == 0) revert BadParameter("offerWindowBlocks");
        token = token_;
        offerWindowBlocks = offerWindowBlocks_;
        for (uint256 i = 0; i < operators_.length; i++) {
            if (operators_[i] == address(0) || _slot[operators_[i]] != 0) revert BadParameter("operators");
            _slot[operators_[i]] = i + 1;
            _operators.push(operators_[i]);
        }
    }

    function requestOf(uint256 id) external view returns (Request memory) {
        if (id >= _requests.length) revert UnknownRequest(id);
        return _requests[id];
    }

    /// A UE (msg.sender) asks for service at `minKbps` or better; returns the request id.
    function post(uint256 minKbps) external returns (uint256 id) {
        if (minKbps == 0 || minKbps > type(uint64).max) revert BadParameter("minKbps");
        id = _requests.length;
        _requests.push(Request(msg.sender, uint64(minKbps), uint64(block.number), 0, false, address(0), 0));
        emit Posted(id, msg.sender, minKbps);
    }

    /// An operator's offer (a later one replaces it until the award).
    function offer(uint256 id, uint256 priceMicroPerMbit, uint256 kbps) external {
        if (_slot[msg.sender] == 0) revert NotOperator(msg.sender);
        Request storage r = _request(id);
        if (r.awarded) revert AlreadyAwarded(id);
        if (_offerPricePlusOne[id][msg.sender] == 0) r.offers += 1;
        _offerPricePlusOne[id][msg.sender] = priceMicroPerMbit + 1;
        _offerKbps[id][msg.sender] = kbps;
        emit Offered(id, msg.sender, priceMicroPerMbit, kbps);
    }

    /// Awards the request to the lowest offer meeting its target; anyone, once offers are closed.
    function award(uint256 id) external {
        Request storage r = _request(id);
        if (r.awarded) revert AlreadyAwarded(id);
        uint256 closes = uint256(r.postedAtBlock) + offerWindowBlocks;
        if (r.offers < _operators.length && block.number < closes) revert OffersOpen(id, closes);
        address best = address(0);
        uint256 bestPrice = type(uint256).max;
        for (uint256 k = 0; k < _operators.length; k++) {
            address op = _operators[k];
            uint256 p = _offerPricePlusOne[id][op];
            if (p == 0 || _offerKbps[id][op] < r.minKbps) continue;
            if (p - 1 < bestPrice) (best, bestPrice) = (op, p - 1);
        }
        r.awarded = true;
        r.winner = best;
        r.price = best == address(0) ? 0 : bestPrice;
        emit Awarded(id, r.ue, best, r.price);
    }

    /// The UE pays the winner for `kbit` measured in `epoch` (once per epoch): kbit x price / 1000.
    function pay(uint256 id, uint256 epoch, uint256 kbit) external returns (uint256 amount) {
        Request storage r = _request(id);
        if (msg.sender != r.ue) revert NotRequester(id, msg.sender);
        if (!r.awarded || r.winner == address(0)) revert NotAwarded(id);
        if (paid[id][epoch]) revert AlreadyPaid(id, epoch);
        paid[id][epoch] = true;
        amount = (kbit * r.price) / 1000;
        if (amount > 0) token.safeTransferFrom(msg.sender, r.winner, amount);
        emit Paid(id, epoch, r.winner, kbit, amount);
    }

    function _request(uint256 id) private view returns (Request storage) {
        if (id >= _requests.length) revert UnknownRequest(id);
        return _requests[id];
    }
}
