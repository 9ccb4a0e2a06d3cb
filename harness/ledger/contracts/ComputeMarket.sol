// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title ComputeMarket: the compute side of seeds/003 (terminal-network coordination). Edge
/// owners register computing services (endpoint, model, price per compute-second, capacity)
/// and update or withdraw them; a UE's operator discovers them on chain, opens a computing
/// session with a deposit in LabToken, and when the session ends the service owner reports the
/// measured compute time and the contract settles it: the owner gets computeMicros x price /
/// 1e6 micro-tokens (the price is micro-tokens per compute-second; compute is counted in
/// microseconds, rounded down to a micro-token), capped at the deposit, and the payer gets the
/// rest back. Only transfers: the token's supply is conserved.
contract ComputeMarket {
    using SafeERC20 for IERC20;

    error UnknownService(uint256 id);
    error UnknownSession(uint256 id);
    error NotOwner(uint256 serviceId, address account);
    error ServiceWithdrawn(uint256 id);
    error SessionClosed(uint256 id);
    error BadParameter(string name);

    event ServiceRegistered(uint256 indexed id, address indexed owner, string endpoint, string model, uint256 priceMicroPerSecond, uint32 capacity);
    event ServiceUpdated(uint256 indexed id, string endpoint, uint256 priceMicroPerSecond, uint32 capacity);
    event ServiceWithdrawnEvent(uint256 indexed id);
    event SessionOpened(uint256 indexed id, uint256 indexed serviceId, address indexed payer, uint256 depositMicro, uint256 priceMicroPerSecond);
    event SessionSettled(uint256 indexed id, uint256 indexed serviceId, address indexed owner, uint256 computeMicros, uint256 paidMicro, uint256 refundMicro);

    struct Service {
        address owner;
        string endpoint;
        string model;
        uint256 priceMicroPerSecond;
        uint32 capacity;
        bool active;
    }

    struct Session {
        uint256 serviceId;
        address payer;
        uint256 depositMicro;
        /// The price when the session opened: a later update does not change what it costs.
        uint256 priceMicroPerSecond;
        bool settled;
    }

    IERC20 public immutable token;
    Service[] private _services;
    Session[] private _sessions;

    constructor(IERC20 token_) {
        if (address(token_) == address(0)) revert BadParameter("token");
        token = token_;
    }

    function serviceCount() external view returns (uint256) {
        return _services.length;
    }

    function serviceOf(uint256 id) external view returns (Service memory) {
        return _service(id);
    }

    function sessionOf(uint256 id) external view returns (Session memory) {
        if (id >= _sessions.length) revert UnknownSession(id);
        return _sessions[id];
    }

    function register(string calldata endpoint, string calldata model, uint256 priceMicroPerSecond, uint32 capacity) external returns (uint256 id) {
        if (bytes(endpoint).length == 0) revert BadParameter("endpoint");
        if (bytes(model).length == 0) revert BadParameter("model");
        if (capacity == 0) revert BadParameter("capacity");
        id = _services.length;
        _services.push(Service(msg.sender, endpoint, model, priceMicroPerSecond, capacity, true));
        emit ServiceRegistered(id, msg.sender, endpoint, model, priceMicroPerSecond, capacity);
    }

    function update(uint256 id, string calldata endpoint, uint256 priceMicroPerSecond, uint32 capacity) external {
        Service storage s = _owned(id);
        if (bytes(endpoint).length == 0) revert BadParameter("endpoint");
        if (capacity == 0) revert BadParameter("capacity");
        s.endpoint = endpoint;
        s.priceMicroPerSecond = priceMicroPerSecond;
        s.capacity = capacity;
        emit ServiceUpdated(id, endpoint, priceMicroPerSecond, capacity);
    }

    function withdraw(uint256 id) external {
        _owned(id).active = false;
        emit ServiceWithdrawnEvent(id);
    }

    /// The payer (msg.sender) escrows `depositMicro` (approved to this contract) for a session.
    function openSession(uint256 serviceId, uint256 depositMicro) external returns (uint256 id) {
        Service storage s = _service(serviceId);
        if (!s.active) revert ServiceWithdrawn(serviceId);
        id = _sessions.length;
        _sessions.push(Session(serviceId, msg.sender, depositMicro, s.priceMicroPerSecond, false));
        if (depositMicro > 0) token.safeTransferFrom(msg.sender, address(this), depositMicro);
        emit SessionOpened(id, serviceId, msg.sender, depositMicro, s.priceMicroPerSecond);
    }

    /// The service owner reports the session's measured compute time; payment and refund follow.
    function settle(uint256 sessionId, uint256 computeMicros) external returns (uint256 paid) {
        if (sessionId >= _sessions.length) revert UnknownSession(sessionId);
        Session storage x = _sessions[sessionId];
        Service storage s = _services[x.serviceId];
        if (msg.sender != s.owner) revert NotOwner(x.serviceId, msg.sender);
        if (x.settled) revert SessionClosed(sessionId);
        x.settled = true;
        paid = (computeMicros * x.priceMicroPerSecond) / 1_000_000;
        if (paid > x.depositMicro) paid = x.depositMicro;
        uint256 refund = x.depositMicro - paid;
        if (paid > 0) token.safeTransfer(s.owner, paid);
        if (refund > 0) token.safeTransfer(x.payer, refund);
        emit SessionSettled(sessionId, x.serviceId, s.owner, computeMicros, paid, refund);
    }

    function _service(uint256 id) private view returns (Service storage) {
        if (id >= _services.length) revert UnknownService(id);
        return _services[id];
    }

    function _owned(uint256 id) private view returns (Service storage s) {
        s = _service(id);
        if (msg.sender != s.owner) revert NotOwner(id, msg.sender);
    }
}
